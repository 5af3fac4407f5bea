import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, floatToBf16, floatToHalf, halfToFloat, parseSafetensors, serializeSafetensors } from '../src';
import { readSafetensors, writeSafetensors } from '../src/node';
import { disposeDict, maxAbsDiff, randomData } from './helpers';

/** Builds a safetensors file by hand (independent of serializeSafetensors). */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]): Buffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.from(entries.flatMap((e) => e.bytes))]);
}

const le16 = (v: number) => [v & 0xff, v >>> 8];

describe('safetensors', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-safetensors-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('decodes hand-made F16, BF16, I64, F32, F64 and BOOL tensors', () => {
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(1.5, 0);
    f32.writeFloatLE(-0.25, 4);
    const f64 = Buffer.alloc(8);
    f64.writeDoubleLE(0.1, 0);
    const i64 = Buffer.alloc(16);
    i64.writeBigInt64LE(5n, 0);
    i64.writeBigInt64LE(-3n, 8);
    const bytes = handMade([
      { name: 'half', dtype: 'F16', shape: [2, 2], bytes: [0x3c00, 0xc000, 0x7bff, 0x0001].flatMap(le16) },
      { name: 'brain', dtype: 'BF16', shape: [2], bytes: [0x3f80, 0x4049].flatMap(le16) },
      { name: 'count', dtype: 'I64', shape: [2], bytes: [...i64] },
      { name: 'single', dtype: 'F32', shape: [2], bytes: [...f32] },
      { name: 'double', dtype: 'F64', shape: [], bytes: [...f64] },
      { name: 'mask', dtype: 'BOOL', shape: [3], bytes: [1, 0, 1] },
    ]);
    const dict = parseSafetensors(bytes);
    expect(Array.from(dict.half!.dataSync())).toEqual([1, -2, 65504, 2 ** -24]);
    expect(dict.half!.shape).toEqual([2, 2]);
    expect(Array.from(dict.brain!.dataSync())).toEqual([1, 3.140625]);
    expect(dict.count!.dtype).toBe('int32');
    expect(Array.from(dict.count!.dataSync())).toEqual([5, -3]);
    expect(Array.from(dict.single!.dataSync())).toEqual([1.5, -0.25]);
    expect(dict.double!.shape).toEqual([]);
    expect(dict.double!.dataSync()[0]).toBeCloseTo(0.1, 7);
    expect(dict.mask!.dtype).toBe('bool');
    expect(Array.from(dict.mask!.dataSync())).toEqual([1, 0, 1]);
    disposeDict(dict);
  });

  it('rounds float32 to F16/BF16 to nearest even', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway -> even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway -> even (up)
    expect(floatToHalf(65520)).toBe(0x7c00); // overflow -> inf
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(halfToFloat(floatToHalf(0.333251953125))).toBe(0.333251953125);
    expect(floatToBf16(1)).toBe(0x3f80);
    expect(floatToBf16(Math.PI)).toBe(0x4049);
    expect(floatToBf16(NaN)).toBe(0x7fc0);
  });

  it('round-trips through a file atomically (F32 exact, F16/BF16 within their precision, int32 as I64)', () => {
    const values = randomData([3, 4], 2);
    const dict = { w: tf.tensor(values, [3, 4]), 'bn.num_batches_tracked': tf.scalar(7, 'int32'), flag: tf.tensor([true, false], [2], 'bool') };
    const file = path.join(dir, 'a.safetensors');
    writeSafetensors(file, dict);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const headerLen = Number(fs.readFileSync(file).readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    const header = JSON.parse(
      fs
        .readFileSync(file)
        .subarray(8, 8 + headerLen)
        .toString(),
    );
    expect(header['bn.num_batches_tracked'].dtype).toBe('I64');
    const back = readSafetensors(file);
    expect(Array.from(back.w!.dataSync())).toEqual(Array.from(values));
    expect(back['bn.num_batches_tracked']!.dataSync()[0]).toBe(7);
    expect(Array.from(back.flag!.dataSync())).toEqual([1, 0]);
    disposeDict(back);
    for (const [floatDtype, tol] of [
      ['F16', 1e-3],
      ['BF16', 8e-3],
    ] as const) {
      const bytes = serializeSafetensors(dict, { floatDtype });
      expect(bytes.length).toBeLessThan(serializeSafetensors(dict).length);
      const parsed = parseSafetensors(bytes);
      expect(maxAbsDiff(parsed.w!.dataSync(), values)).toBeLessThan(tol);
      disposeDict(parsed);
    }
    disposeDict(dict);
  });

  it('a failed write names the file, leaves the old file as it was and no temporary file behind', () => {
    const t = tf.tensor([1, 2, 3]);
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a non-empty folder: the rename must fail
    expect(() => writeSafetensors(target, { t })).toThrow(/safetensors .*taken: cannot write/);
    expect(fs.readdirSync(target)).toEqual(['inside']);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    t.dispose();
  });

  it('reports a truncated or malformed file with its path', () => {
    const dict = { w: tf.ones([4, 4]) };
    const bytes = serializeSafetensors(dict);
    const file = path.join(dir, 'cut.safetensors');
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 5));
    expect(() => readSafetensors(file)).toThrow(new RegExp(`safetensors ${file}: tensor 'w' ends at byte 64 of a 59-byte data section`));
    const bad = Buffer.from(bytes);
    bad.write('X', 8);
    expect(() => parseSafetensors(bad, 'bad.st')).toThrow(/safetensors bad.st: header is not valid JSON/);
    expect(() => readSafetensors(path.join(dir, 'none.safetensors'))).toThrow(/none\.safetensors: cannot read/);
    const unsupported = handMade([{ name: 'c', dtype: 'C64', shape: [1], bytes: [0, 0, 0, 0, 0, 0, 0, 0] }]);
    expect(() => parseSafetensors(unsupported, 'c.st')).toThrow(/tensor 'c' has unsupported dtype 'C64'/);
    disposeDict(dict);
  });

  /** A header over one shared data section: each entry names its own byte range. */
  function withOffsets(entries: { name: string; dtype: string; shape: number[]; range: [number, number] }[], dataBytes: number): Buffer {
    const header = Object.fromEntries(entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, data_offsets: e.range }]));
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
  }

  it('refuses overlapping data ranges before decoding anything (40 views of one region took 1.4 GB)', () => {
    const n = 1 << 20; // 1 Mi float32: 4 MiB
    const views = Array.from({ length: 40 }, (_, i) => ({
      name: `view${String(i).padStart(2, '0')}`,
      dtype: 'F32',
      shape: [n],
      range: [0, 4 * n] as [number, number],
    }));
    const bomb = withOffsets(views, 4 * n);
    const before = tf.memory().numTensors;
    expect(() => parseSafetensors(bomb, 'views.st')).toThrow(
      `safetensors views.st: tensor 'view01' (data_offsets [0, ${4 * n}]) overlaps tensor 'view00' (data_offsets [0, ${4 * n}])`,
    );
    expect(tf.memory().numTensors).toBe(before);
    // partly overlapping, listed in any order in the header
    const partial = withOffsets(
      [
        { name: 'b', dtype: 'F32', shape: [2], range: [4, 12] },
        { name: 'a', dtype: 'F32', shape: [2], range: [0, 8] },
      ],
      12,
    );
    expect(() => parseSafetensors(partial, 'p.st')).toThrow("safetensors p.st: tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8])");
    // ranges in bounds and apart, in any order, empty tensors anywhere: fine
    const fine = withOffsets(
      [
        { name: 'late', dtype: 'F32', shape: [1], range: [8, 12] },
        { name: 'empty', dtype: 'F32', shape: [0], range: [8, 8] },
        { name: 'early', dtype: 'F32', shape: [2], range: [0, 8] },
      ],
      12,
    );
    const dict = parseSafetensors(fine, 'fine.st');
    expect(Object.keys(dict).sort()).toEqual(['early', 'empty', 'late']);
    disposeDict(dict);
  });

  it('decodes only the tensors asked for', () => {
    const i64 = Buffer.alloc(8);
    i64.writeBigInt64LE(1n << 40n, 0); // does not fit int32: decoding it fails
    const bytes = handMade([
      { name: 'student.w', dtype: 'F32', shape: [1], bytes: [0, 0, 0x80, 0x3f] },
      { name: 'teacher.big', dtype: 'I64', shape: [1], bytes: [...i64] },
    ]);
    expect(() => parseSafetensors(bytes, 'all.st')).toThrow(/tensor 'teacher.big': I64 value 1099511627776 does not fit int32/);
    const only = parseSafetensors(bytes, 'some.st', { only: (name) => name.startsWith('student.') });
    expect(Object.keys(only)).toEqual(['student.w']);
    expect(Array.from(only['student.w']!.dataSync())).toEqual([1]);
    disposeDict(only);
  });

  it('saves and reloads an encoder checkpoint (strict) with identical outputs', () => {
    const opts = { numClasses: 3, widthMultiplier: 1 / 16, seed: 4 };
    const a = createEncoder('r2plus1d-18', opts);
    const b = createEncoder('r2plus1d-18', { ...opts, seed: 5 });
    const state = a.stateDict();
    const file = path.join(dir, 'student.safetensors');
    writeSafetensors(file, state);
    const loaded = readSafetensors(file);
    b.loadStateDict(loaded, { strict: true, source: file });
    const x = tf.tensor(randomData([1, 2, 8, 8, 3], 6), [1, 2, 8, 8, 3]);
    const ya = a.apply(x);
    const yb = b.apply(x);
    expect(maxAbsDiff(ya.logits!.dataSync(), yb.logits!.dataSync())).toBe(0);
    tf.dispose([x, ya, yb]);
    disposeDict(state);
    disposeDict(loaded);
    a.dispose();
    b.dispose();
  });
});
