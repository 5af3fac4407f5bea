import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { extractTarGz, iterateTar } from '../src';
import { tempDir } from './helpers';

/** A ustar header + padded data, built by hand. */
function tarEntry(name: string, data: Uint8Array, type = '0'): Uint8Array {
  const h = new Uint8Array(512);
  h.set(Buffer.from(name), 0);
  h.set(Buffer.from('0000644\0'), 100);
  h.set(Buffer.from(data.length.toString(8).padStart(11, '0') + '\0'), 124);
  h[156] = type.charCodeAt(0);
  h.set(Buffer.from('ustar\0' + '00'), 257);
  h.fill(32, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(Buffer.from(sum.toString(8).padStart(6, '0') + '\0 '), 148);
  const out = new Uint8Array(512 + Math.ceil(data.length / 512) * 512);
  out.set(h);
  out.set(data, 512);
  return out;
}

function tar(...entries: Uint8Array[]): Uint8Array {
  return Buffer.concat([...entries, new Uint8Array(1024)]);
}

describe('tar reader', () => {
  it('reads files, folders, GNU long names and pax paths', () => {
    const long = 'x/'.repeat(70) + 'f.txt';
    const pax = Buffer.from(`${`path=p/q.txt\n`.length + 3} path=p/q.txt\n`);
    const entries = [
      ...iterateTar(
        tar(
          tarEntry('d/', new Uint8Array(0), '5'),
          tarEntry('d/a.txt', Buffer.from('hello')),
          tarEntry('././@LongLink', Buffer.from(long + '\0'), 'L'),
          tarEntry('short', Buffer.from('L')),
          tarEntry('PaxHeader', pax, 'x'),
          tarEntry('ignored', Buffer.from('P')),
        ),
      ),
    ];
    expect(entries.map((e) => [e.name, e.type, Buffer.from(e.data).toString()])).toEqual([
      ['d', 'directory', ''],
      ['d/a.txt', 'file', 'hello'],
      [long, 'file', 'L'],
      ['p/q.txt', 'file', 'P'],
    ]);
  });

  it('rejects a corrupt header, a truncated archive and path traversal', () => {
    const good = tar(tarEntry('a.txt', Buffer.from('abc')));
    const bad = Uint8Array.from(good);
    bad[0] = 'b'.charCodeAt(0);
    expect(() => [...iterateTar(bad, 'bad.tar')]).toThrow(/bad\.tar: corrupt tar header at byte 0/);
    const big = tarEntry('big.bin', new Uint8Array(2000));
    expect(() => [...iterateTar(big.subarray(0, 1024), 'cut.tar')]).toThrow(/cut\.tar: truncated tar archive/);
    const dir = tempDir();
    try {
      const evil = path.join(dir, 'evil.tar.gz');
      fs.writeFileSync(evil, zlib.gzipSync(tar(tarEntry('../escape.txt', Buffer.from('x')))));
      expect(() => extractTarGz(evil, path.join(dir, 'out'))).toThrow(/evil\.tar\.gz: entry '\.\.\/escape\.txt' escapes the destination folder/);
      expect(fs.existsSync(path.join(dir, 'escape.txt'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
