import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensorsHeader } from '../src';
import { loadCheckpoint, saveCheckpoint, writeSafetensors, type CheckpointMeta } from '../src/node';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-checkpoint-'));
const meta: CheckpointMeta = {
  format: 'ccl-checkpoint/1',
  architecture: 'tiny [3, 2]',
  epoch: 2,
  stepInEpoch: 1,
  globalStep: 9,
  bestMetric: 0.5,
  config: { lr: 0.1 },
};

function save(name: string): string {
  const file = path.join(dir, name);
  const tensors = {
    'student.w': tf.tensor([1.5, -2, 3.25, Number.NaN, Infinity, -0], [3, 2]),
    'optim.step': tf.tensor([7], [1], 'int32'),
    'a.first': tf.tensor([0.1], [1]),
  };
  saveCheckpoint(file, tensors, meta);
  tf.dispose(Object.values(tensors));
  return file;
}

describe('checkpoints (safetensors files with the ccl metadata)', () => {
  it('round-trip float32 and int32 exactly, with the metadata, as a standard safetensors file', () => {
    const file = save('round.ckpt');
    const { meta: got, tensors } = loadCheckpoint(file, { architecture: 'tiny [3, 2]' });
    expect(got).toEqual(meta);
    expect(Object.keys(tensors).sort()).toEqual(['a.first', 'optim.step', 'student.w']);
    expect(Array.from(tensors['student.w']!.dataSync())).toEqual([1.5, -2, 3.25, Number.NaN, Infinity, -0]);
    expect(tensors['student.w']!.shape).toEqual([3, 2]);
    expect(tensors['optim.step']!.dtype).toBe('int32');
    expect(Array.from(tensors['optim.step']!.dataSync())).toEqual([7]);
    tf.dispose(Object.values(tensors));
    // what other safetensors readers see: names sorted, F32 and I32, the meta under `ccl`
    const { entries, metadata } = parseSafetensorsHeader(fs.readFileSync(file), file);
    expect(Object.keys(entries)).toEqual(['a.first', 'optim.step', 'student.w']);
    expect(entries['student.w']!.dtype).toBe('F32');
    expect(entries['optim.step']!.dtype).toBe('I32');
    expect(JSON.parse(metadata.ccl!)).toEqual(meta);
  });

  it('refuse a truncated file, a corrupt header, a file that is no ccl checkpoint and corrupt metadata, naming the file', () => {
    const file = save('good.ckpt');
    const bytes = fs.readFileSync(file);
    const truncated = path.join(dir, 'truncated.ckpt');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 5));
    expect(() => loadCheckpoint(truncated)).toThrow(/truncated\.ckpt: tensor '.*' ends at byte \d+ of a \d+-byte data section \(truncated file\?\)/);
    const garbage = path.join(dir, 'garbage.ckpt');
    fs.writeFileSync(garbage, Buffer.concat([bytes.subarray(0, 8), Buffer.from('{not json'.padEnd(bytes.readUInt32LE(0), ' '))]));
    expect(() => loadCheckpoint(garbage)).toThrow(/garbage\.ckpt: header is not valid JSON/);
    const tiny = path.join(dir, 'tiny.ckpt');
    fs.writeFileSync(tiny, Buffer.from([1, 2, 3]));
    expect(() => loadCheckpoint(tiny)).toThrow(/tiny\.ckpt: file is 3 bytes, shorter than the 8-byte header length/);
    const plain = path.join(dir, 'plain.safetensors');
    const t = tf.tensor([1, 2]);
    writeSafetensors(plain, { t });
    t.dispose();
    expect(() => loadCheckpoint(plain)).toThrow(/plain\.safetensors: not a ccl checkpoint \(no ccl metadata\)/);
    const badMeta = path.join(dir, 'bad-meta.ckpt');
    const u = tf.tensor([1]);
    writeSafetensors(badMeta, { u }, { metadata: { ccl: '{"format":' } });
    u.dispose();
    expect(() => loadCheckpoint(badMeta)).toThrow(/bad-meta\.ckpt: corrupt checkpoint metadata/);
    expect(() => loadCheckpoint(path.join(dir, 'missing.ckpt'))).toThrow(/missing\.ckpt: checkpoint not found/);
  });

  it('refuse a checkpoint of another model, naming both', () => {
    const file = save('other.ckpt');
    expect(() => loadCheckpoint(file, { architecture: 'r2plus1d-18' })).toThrow(
      /checkpoint is for another model:\s+checkpoint: tiny \[3, 2\]\s+this run: +r2plus1d-18/,
    );
  });
});
