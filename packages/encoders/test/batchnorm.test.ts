import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, ParameterStore } from '../src';
import { maxAbsDiff, randomData } from './helpers';
import { batchNormRef, channelsFirst, nd } from './reference/torch-reference';

function makeBn(channels: number): { bn: BatchNorm; store: ParameterStore } {
  const store = new ParameterStore(true);
  return { bn: new BatchNorm(store, 'bn', channels), store };
}

function disposeStore(store: ParameterStore): void {
  for (const p of store.params) p.variable.dispose();
}

describe('BatchNorm (torch semantics)', () => {
  const shape = [2, 3, 2, 2, 4]; // [B, T, H, W, C]
  const data = randomData(shape, 3).map((v, i) => v * 2 + (i % 4)); // per-channel offset

  it('train mode: normalises with batch stats and updates running stats (momentum 0.1, unbiased var)', () => {
    const { bn, store } = makeBn(4);
    const gamma = [1.5, 0.5, 1, 2];
    const beta = [0.1, -0.2, 0.3, 0];
    bn.weight.variable.assign(tf.tensor1d(gamma));
    bn.bias.variable.assign(tf.tensor1d(beta));
    const x = tf.tensor(data, shape);
    const y = bn.apply(x, { training: true });
    // independent computation
    const n = data.length / 4;
    const mean = [0, 1, 2, 3].map((c) => data.filter((_, i) => i % 4 === c).reduce((a, b) => a + b, 0) / n);
    const biased = [0, 1, 2, 3].map((c) => data.filter((_, i) => i % 4 === c).reduce((a, v) => a + (v - mean[c]!) ** 2, 0) / n);
    const expectedY = Array.from(data, (v, i) => ((v - mean[i % 4]!) / Math.sqrt(biased[i % 4]! + 1e-5)) * gamma[i % 4]! + beta[i % 4]!);
    expect(maxAbsDiff(y.dataSync(), expectedY)).toBeLessThan(1e-5);
    expect(maxAbsDiff(bn.runningMean.variable.dataSync(), mean.map((m) => 0.1 * m))).toBeLessThan(1e-6);
    expect(maxAbsDiff(bn.runningVar.variable.dataSync(), biased.map((v) => 0.9 + (0.1 * v * n) / (n - 1)))).toBeLessThan(1e-5);
    expect(bn.numBatchesTracked).toBe(1);
    // second step compounds the exponential average
    tf.dispose(bn.apply(x, { training: true }));
    expect(maxAbsDiff(bn.runningMean.variable.dataSync(), mean.map((m) => 0.9 * 0.1 * m + 0.1 * m))).toBeLessThan(1e-6);
    expect(bn.numBatchesTracked).toBe(2);
    tf.dispose([x, y]);
    disposeStore(store);
  });

  it('eval mode: uses running stats and leaves them unchanged', () => {
    const { bn, store } = makeBn(4);
    const rm = [0.5, -1, 0.25, 2];
    const rv = [2, 0.5, 1, 3];
    bn.runningMean.variable.assign(tf.tensor1d(rm));
    bn.runningVar.variable.assign(tf.tensor1d(rv));
    bn.weight.variable.assign(tf.tensor1d([1, 2, 3, 4]));
    const x = tf.tensor(data, shape);
    const y = bn.apply(x, { training: false });
    const expected = batchNormRef(channelsFirst(data, shape), { weight: nd([4], [1, 2, 3, 4]), bias: nd([4]), runningMean: nd([4], rm), runningVar: nd([4], rv) }, false);
    const got = channelsFirst(y.dataSync(), shape);
    expect(maxAbsDiff(got.data, expected)).toBeLessThan(1e-5);
    expect(Array.from(bn.runningMean.variable.dataSync())).toEqual(rm);
    expect(bn.numBatchesTracked).toBe(0);
    tf.dispose([x, y]);
    disposeStore(store);
  });

  it('train mode works inside tf.variableGrads without leaking tensors', () => {
    const { bn, store } = makeBn(4);
    const x = tf.tensor(data, shape);
    const r = tf.tensor(randomData(shape, 11), shape);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, { training: true }), r)) as tf.Scalar, [bn.weight.variable, bn.bias.variable]);
      expect(Object.keys(grads)).toHaveLength(2);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(bn.numBatchesTracked).toBe(3);
    tf.dispose([x, r]);
    disposeStore(store);
  });

  it('rejects a wrong channel count', () => {
    const { bn, store } = makeBn(3);
    const x = tf.zeros([2, 4]);
    expect(() => bn.apply(x, { training: false })).toThrow(/bn: expected 3 channels/);
    x.dispose();
    disposeStore(store);
  });
});
