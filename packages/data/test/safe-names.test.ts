import * as fs from 'node:fs';
import * as path from 'node:path';
import { classToDirName, fileNameToId, idToFileName } from '../src';
import { clipFileName, clipPath, featureFilePath, readFeaturesFolder, resolveInside, writeNpy } from '../src/node';
import { tempDir } from './helpers';

/** Names an annotation file from the internet may hold. */
const HOSTILE = [
  '../../../../escaped',
  '..',
  '.',
  '...',
  '/etc/passwd',
  '..\\..\\windows\\x',
  'C:\\x',
  'C:x',
  '\\\\server\\share\\x',
  'a\u0000b',
  'tab\there\nline',
  'CON',
  'con.txt',
  'Lpt9',
  'aux.tar.gz',
  'trailing.',
  'trailing ',
  ' leading',
  '._macos',
  '.hidden',
  'x\u202Egnp.exe',
  'a\uFF0Fb',
  'a\u2215b',
  'e\u0301',
  '\u00e9',
  '\uD83C\uDFB5 music',
  '100%',
  '%2e%2e',
  'walk/clip 1',
];

const SAFE_COMPONENT = /^[A-Za-z0-9_.%-]+$/;

describe('safe names: one id <-> file-name mapping', () => {
  it('maps every hostile id to one plain file name that decodes back to it', () => {
    for (const id of HOSTILE) {
      const file = idToFileName(id, '.npy');
      expect({ id, ok: SAFE_COMPONENT.test(file) }).toEqual({ id, ok: true });
      expect(fileNameToId(file, '.npy')).toBe(id);
      const dir = classToDirName(id);
      expect({ id, ok: SAFE_COMPONENT.test(dir) && !dir.startsWith('.') && !dir.endsWith('.') }).toEqual({ id, ok: true });
      expect(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(dir)).toBe(false);
      // joined under a folder it stays there, under POSIX and Windows rules
      expect(resolveInside('/data/out', [dir, file], path.posix).startsWith('/data/out/')).toBe(true);
      expect(resolveInside('C:\\data\\out', [dir, file], path.win32).startsWith('C:\\data\\out\\')).toBe(true);
    }
    const all = HOSTILE.map((id) => idToFileName(id, '.clip'));
    expect(new Set(all).size).toBe(HOSTILE.length);
  });

  it("keeps UCF101 names and the clip cache's existing ASCII file names unchanged", () => {
    expect(idToFileName('v_ApplyEyeMakeup_g08_c01', '.npy')).toBe('v_ApplyEyeMakeup_g08_c01.npy');
    expect(classToDirName('ApplyEyeMakeup')).toBe('ApplyEyeMakeup');
    expect(clipFileName('walk/clip-1')).toBe('walk%2fclip-1.clip');
    expect(clipFileName('a b:c')).toBe('a%20b%3ac.clip');
    expect(idToFileName('x\u202Eb', '.npy')).toBe('x%e2%80%aeb.npy');
    expect(idToFileName('a\uFF0Fb', '.npy')).toBe('a%ef%bc%8fb.npy');
  });

  it('refuses empty, non-Unicode and over-long names, naming the problem', () => {
    expect(() => idToFileName('', '.npy')).toThrow(/sample id must be a non-empty string/);
    expect(() => classToDirName('a\uD800b')).toThrow(/class name "a\\ud800b" is not valid Unicode/);
    expect(() => idToFileName('x'.repeat(300), '.npy')).toThrow(/sample id "x{60}…" is too long for a file name \(304 bytes encoded, at most 255\)/);
  });

  it('resolveInside refuses what climbs out or is absolute, under POSIX and Windows rules', () => {
    expect(resolveInside('/data/out', ['a', 'b.npy'], path.posix)).toBe('/data/out/a/b.npy');
    expect(() => resolveInside('/data/out', '../x', path.posix)).toThrow(/\.\.\/x: resolves to \/data\/x, which is not inside \/data\/out/);
    expect(() => resolveInside('/data/out', '/etc/passwd', path.posix)).toThrow(/not inside/);
    expect(() => resolveInside('/data/out', ['a', '..', '..', 'x'], path.posix)).toThrow(/not inside/);
    expect(() => resolveInside('/data/out', '', path.posix)).toThrow(/not inside/);
    expect(() => resolveInside('C:\\data\\out', '..\\x', path.win32)).toThrow(/not inside/);
    expect(() => resolveInside('C:\\data\\out', 'D:\\x', path.win32)).toThrow(/not inside/);
    expect(() => resolveInside('C:\\data\\out', 'C:\\x', path.win32)).toThrow(/not inside/);
    expect(resolveInside('C:\\data\\out', 'a\\b', path.win32)).toBe('C:\\data\\out\\a\\b');
  });

  it('the clip cache and the features layout keep every hostile id inside their folder', () => {
    const root = tempDir();
    try {
      const out = path.join(root, 'deep', 'er', 'feat');
      for (const [k, id] of HOSTILE.entries()) {
        const cls = HOSTILE[(k + 1) % HOSTILE.length] as string;
        expect(path.dirname(clipPath(path.join(root, 'cache'), id))).toBe(path.join(root, 'cache', 'clips'));
        const file = featureFilePath(out, cls, id);
        expect(path.dirname(path.dirname(file))).toBe(out);
        writeNpy(file, { dtype: 'float32', shape: [2], data: Float32Array.from([k, 1]) });
      }
      // nothing landed beside the features folder (the reproduction wrote escaped.npy near the root)
      expect(fs.readdirSync(path.join(root, 'deep', 'er'))).toEqual(['feat']);
      expect(fs.readdirSync(root).sort()).toEqual(['deep']);
      const set = readFeaturesFolder(out, { dim: 2, onWarning: () => undefined });
      expect([...set.features.keys()].sort()).toEqual([...HOSTILE].sort());
      for (const [k, id] of HOSTILE.entries()) {
        expect(set.classOf.get(id)).toBe(HOSTILE[(k + 1) % HOSTILE.length]);
        expect(set.features.get(id)!.data[0]).toBe(k);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
