import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, extractFeatures, type ExtractProgress, type FeatureBatch } from '../src';
import { maxAbsDiff, randomData } from './helpers';

const opts = { widthMultiplier: 1 / 16, seed: 2 };
const clip = [2, 8, 8, 3]; // [T, H, W, C] per segment

function batchOf(ids: string[], segments: number, seed: number): { batch: FeatureBatch; data: Float32Array } {
  const shape = [ids.length * segments, ...clip];
  const data = randomData(shape, seed);
  return { batch: { ids, input: tf.tensor(data, shape), segmentsPerItem: segments }, data };
}

describe('extractFeatures', () => {
  it('streams per-item features (D) and per-segment features (S, D) to the sink, with progress', async () => {
    const enc = createEncoder('r2plus1d-18', opts);
    const a = batchOf(['v1', 'v2'], 1, 1);
    const b = batchOf(['v3'], 3, 2);
    const got = new Map<string, { features: Float32Array; shape: number[] }>();
    const progress: ExtractProgress[] = [];
    async function* stream(): AsyncGenerator<FeatureBatch> {
      yield a.batch;
      yield b.batch;
    }
    const before = tf.memory().numTensors;
    const result = await extractFeatures(enc, stream(), {
      sink: async (id, features, shape) => {
        await Promise.resolve();
        got.set(id, { features, shape });
      },
      onProgress: (p) => progress.push(p),
      total: 3,
    });
    expect(result).toEqual({ items: 3, batches: 2 });
    expect(progress).toEqual([
      { items: 2, batches: 1, total: 3 },
      { items: 3, batches: 2, total: 3 },
    ]);
    expect(got.get('v1')!.shape).toEqual([32]);
    expect(got.get('v3')!.shape).toEqual([3, 32]);
    // same values as a direct eval-mode forward pass
    const xb = tf.tensor(b.data, [3, ...clip]);
    const direct = enc.features(xb);
    expect(maxAbsDiff(got.get('v3')!.features, direct.dataSync())).toBeLessThan(1e-6);
    const xa = tf.tensor(a.data, [2, ...clip]);
    const directA = enc.features(xa);
    expect(maxAbsDiff(got.get('v2')!.features, directA.dataSync().slice(32))).toBeLessThan(1e-6);
    tf.dispose([xa, xb, direct, directA]);
    enc.dispose();
    // inputs were disposed (2 batches); disposing the encoder released its variables and the eval-mode
    // BatchNorm foldings it caches: nothing else is left behind
    expect(tf.memory().numTensors).toBe(before - 2 - enc.describe().length);
  });

  it('keeps the encoder mode and running stats (eval-mode extraction)', async () => {
    const enc = createEncoder('r2plus1d-18', opts).train();
    const state = enc.stateDict();
    const { batch } = batchOf(['x'], 2, 3);
    await extractFeatures(enc, [batch], { sink: () => undefined });
    expect(enc.isTraining).toBe(true);
    const after = enc.stateDict();
    expect(maxAbsDiff(after['bn1.running_mean']!.dataSync(), state['bn1.running_mean']!.dataSync())).toBe(0);
    tf.dispose([...Object.values(state), ...Object.values(after)]);
    enc.dispose();
  });

  it('rejects a batch whose rows do not match its ids, naming the batch', async () => {
    const enc = createEncoder('r2plus1d-18', opts);
    const { batch } = batchOf(['a', 'b'], 1, 4);
    await expect(extractFeatures(enc, [{ ...batch, ids: ['a'] }], { sink: () => undefined })).rejects.toThrow(
      /batch 0 has 1 ids x 1 segments but its input has 2 rows/,
    );
    expect(batch.input.isDisposed).toBe(true);
    enc.dispose();
  });
});
