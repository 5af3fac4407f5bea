import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, ParameterStore } from '../src';
import { addRelu } from '../src/ops/activations';
import { batchNormTrain } from '../src/ops/batchnorm';
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
    expect(
      maxAbsDiff(
        bn.runningMean.variable.dataSync(),
        mean.map((m) => 0.1 * m),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxAbsDiff(
        bn.runningVar.variable.dataSync(),
        biased.map((v) => 0.9 + (0.1 * v * n) / (n - 1)),
      ),
    ).toBeLessThan(1e-5);
    expect(bn.numBatchesTracked).toBe(1);
    // second step compounds the exponential average
    tf.dispose(bn.apply(x, { training: true }));
    expect(
      maxAbsDiff(
        bn.runningMean.variable.dataSync(),
        mean.map((m) => 0.9 * 0.1 * m + 0.1 * m),
      ),
    ).toBeLessThan(1e-6);
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
    const expected = batchNormRef(
      channelsFirst(data, shape),
      { weight: nd([4], [1, 2, 3, 4]), bias: nd([4]), runningMean: nd([4], rm), runningVar: nd([4], rv) },
      false,
    );
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

describe('batchNormTrain and addRelu (ops with hand-written gradients) equal autodiff of the plain formula', () => {
  const n = 37;
  const c = 5;
  const xData = randomData([n, c], 21).map((v, i) => v * (1 + (i % c)) + (i % c) - 2); // per-channel scale and offset
  const rData = randomData([n, c], 22);

  function plain(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, 0);
    const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor2D;
    return relu ? tf.relu(y) : y;
  }

  it.each([false, true])('relu %s: output, dx, dgamma, dbeta to 1e-5 and running statistics passed once', (relu) => {
    const x = tf.tensor2d(xData, [n, c]);
    const g = tf.tensor1d([1.5, 0.5, -1, 2, 0.8]);
    const b = tf.tensor1d([0.1, -0.2, 0.3, 0, 1]);
    const r = tf.tensor2d(rData, [n, c]);
    const seen: number[][] = [];
    const ours = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor2D =>
      batchNormTrain(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, {
        eps: 1e-5,
        relu,
        onStatistics: (m, v) => seen.push([...m.dataSync(), ...v.dataSync()]),
      });
    const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor2D => plain(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, relu);
    const y = ours(x, g, b);
    const yRef = ref(x, g, b);
    expect(maxAbsDiff(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-5);
    expect(seen).toHaveLength(1);
    const before = tf.memory().numTensors;
    const grads = tf.grads((...[xx, gg, bb]: tf.Tensor[]) => tf.sum(tf.mul(ours(xx!, gg!, bb!), r)))([x, g, b]);
    expect(tf.memory().numTensors).toBe(before + 3); // only the three gradients remain
    const gradsRef = tf.grads((...[xx, gg, bb]: tf.Tensor[]) => tf.sum(tf.mul(ref(xx!, gg!, bb!), r)))([x, g, b]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(grads[i]!.dataSync(), gradsRef[i]!.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, g, b, r, y, yRef, ...grads, ...gradsRef]);
  });

  it('addRelu: value and both gradients equal relu(add(a, b)); refuses broadcasting', () => {
    const a = tf.tensor2d(xData, [n, c]);
    const b = tf.tensor2d(rData, [n, c]);
    const w = tf.tensor2d(randomData([n, c], 23), [n, c]);
    expect(maxAbsDiff(addRelu(a, b).dataSync(), tf.relu(tf.add(a, b)).dataSync())).toBe(0);
    const ours = tf.grads((...[p, q]: tf.Tensor[]) => tf.sum(tf.mul(addRelu(p!, q!), w)))([a, b]);
    const ref = tf.grads((...[p, q]: tf.Tensor[]) => tf.sum(tf.mul(tf.relu(tf.add(p!, q!)), w)))([a, b]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(ours[i]!.dataSync(), ref[i]!.dataSync())).toBe(0);
    const row = tf.zeros([1, c]);
    expect(() => addRelu(a, row)).toThrow(/shapes differ/);
    tf.dispose([a, b, w, row, ...ours, ...ref]);
  });
});
