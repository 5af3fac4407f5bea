import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTempName, tempPathFor, writeFileAtomicSync } from '../src/node/atomic-write';

describe('writeFileAtomicSync', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-atomic-'));
  const strays = () => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('replaces the file whole, and creates missing folders', () => {
    const file = path.join(dir, 'sub', 'a.txt');
    writeFileAtomicSync(file, 'first');
    writeFileAtomicSync(file, Buffer.from('second'));
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    expect(fs.readdirSync(path.join(dir, 'sub'))).toEqual(['a.txt']);
  });

  it('a failed write leaves the old file as it was and no temporary file', () => {
    const file = path.join(dir, 'b.txt');
    writeFileAtomicSync(file, 'kept');
    // not bytes: fs.writeSync throws after the temporary file exists
    const notBytes = { length: 3 } as unknown as Uint8Array;
    expect(() => writeFileAtomicSync(file, notBytes)).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
    expect(strays()).toEqual([]);
  });

  it('a failed rename leaves the target as it was and no temporary file', () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    expect(() => writeFileAtomicSync(target, 'x')).toThrow();
    expect(fs.readdirSync(target)).toEqual(['inside']);
    expect(strays()).toEqual([]);
  });

  it('a full disk (ENOSPC) names the file being written, not the temporary one, and leaves the old file and no temporary file', () => {
    const file = path.join(dir, 'full.bin');
    writeFileAtomicSync(file, 'kept');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    // the compiled module keeps its own copy of node:fs's functions: load a fresh one after mocking
    const spy = jest.spyOn(require('node:fs') as typeof fs, 'writeSync').mockImplementation(() => {
      throw enospc;
    });
    try {
      let write: typeof writeFileAtomicSync = () => undefined;
      jest.isolateModules(() => ({ writeFileAtomicSync: write } = require('../src/node/atomic-write') as typeof import('../src/node/atomic-write')));
      let thrown: (Error & { code?: string }) | undefined;
      try {
        write(file, 'new bytes');
      } catch (e) {
        thrown = e as Error & { code?: string };
      }
      expect(spy).toHaveBeenCalled();
      expect(thrown?.message).toBe(`${file}: cannot write: ENOSPC: no space left on device, write`);
      expect(thrown?.code).toBe('ENOSPC');
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
    expect(strays()).toEqual([]);
  });
});

describe('parseTempName', () => {
  it('reads the target and the writer pid back from a name tempPathFor made, and nothing else', () => {
    const tmp = path.basename(tempPathFor(path.join(os.tmpdir(), 'run.json')));
    expect(parseTempName(tmp)).toEqual({ target: 'run.json', pid: process.pid });
    expect(parseTempName('.latest.ckpt.4242.17.tmp')).toEqual({ target: 'latest.ckpt', pid: 4242 });
    for (const other of ['backup.tmp', 'run.json.4242.1.tmp', '.run.json.tmp', '.run.json.x.1.tmp', '.4242.1.tmp']) expect(parseTempName(other)).toBeNull();
  });
});
