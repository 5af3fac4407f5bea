import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeNpy, parseNpy } from '../src';
import { readNpy, writeNpy } from '../src/node';
import { tempDir } from './helpers';

/** Builds .npy bytes by hand (independent of encodeNpy) for a given header and payload. */
function handNpy(header: string, payload: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + h.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(Buffer.from(h, 'latin1'), pre);
  out.set(payload, pre + h.length);
  return out;
}

describe('.npy reader/writer', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips float32 1-D and float64 2-D arrays through an atomic write', () => {
    const a = { dtype: 'float32' as const, shape: [5], data: Float32Array.from([0, 1.5, -2.25, 3e-8, 1e30]) };
    const b = { dtype: 'float64' as const, shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, Math.PI]) };
    writeNpy(path.join(dir, 'a.npy'), a);
    writeNpy(path.join(dir, 'b.npy'), b);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const ra = readNpy(path.join(dir, 'a.npy'));
    const rb = readNpy(path.join(dir, 'b.npy'));
    expect(ra.dtype).toBe('float32');
    expect(ra.shape).toEqual([5]);
    expect(Array.from(ra.data)).toEqual(Array.from(a.data));
    expect(rb.dtype).toBe('float64');
    expect(rb.shape).toEqual([2, 3]);
    expect(Array.from(rb.data)).toEqual([1, 2, 3, 4, 5, Math.PI]);
  });

  it('writes the header numpy writes (v1.0, 64-byte aligned, C order)', () => {
    const bytes = encodeNpy({ dtype: 'float32', shape: [512], data: new Float32Array(512) });
    const header = Buffer.from(bytes.subarray(10, 10 + new DataView(bytes.buffer).getUint16(8, true))).toString('latin1');
    expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (512,), }")).toBe(true);
    expect((10 + header.length) % 64).toBe(0);
    expect(header.endsWith('\n')).toBe(true);
    expect(bytes.length).toBe(10 + header.length + 2048);
  });

  it('reads hand-made big-endian, version 2.0 and Fortran-order files', () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.25, false);
    new DataView(be.buffer).setFloat32(4, -7, false);
    expect(Array.from(parseNpy(handNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be)).data)).toEqual([1.25, -7]);
    const v2 = new Uint8Array(new Float64Array([9, 8]).buffer);
    expect(Array.from(parseNpy(handNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", v2, 2)).data)).toEqual([9, 8]);
    // Fortran order [[1,2,3],[4,5,6]] is stored column-major: 1 4 2 5 3 6
    const f = new Uint8Array(new Float32Array([1, 4, 2, 5, 3, 6]).buffer);
    const arr = parseNpy(handNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f));
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives clear errors naming the file for bad input', () => {
    const write = (name: string, bytes: Uint8Array): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return p;
    };
    const good = encodeNpy({ dtype: 'float32', shape: [4], data: new Float32Array(4) });
    const trunc = write('trunc.npy', good.subarray(0, good.length - 3));
    expect(() => readNpy(trunc)).toThrow(/trunc\.npy: truncated \.npy data/);
    const empty = write('empty.npy', new Uint8Array(0));
    expect(() => readNpy(empty)).toThrow(/empty\.npy: empty file/);
    const junk = write('junk.npy', Buffer.from('hello world, not numpy'));
    expect(() => readNpy(junk)).toThrow(/junk\.npy: not a \.npy file/);
    const ints = write('ints.npy', handNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)));
    expect(() => readNpy(ints)).toThrow(/ints\.npy: unsupported dtype '<i8'/);
    const hdr = write('hdr.npy', good.subarray(0, 20));
    expect(() => readNpy(hdr)).toThrow(/hdr\.npy: truncated \.npy header/);
    expect(() => readNpy(path.join(dir, 'missing.npy'))).toThrow(/missing\.npy: cannot read/);
    expect(() => encodeNpy({ dtype: 'float32', shape: [3], data: new Float32Array(2) })).toThrow(/3 elements/);
  });
});
