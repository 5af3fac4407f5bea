import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, FactorisedConv, intermediateChannels, loadParams, ParameterStore, type FactorisedConvConfig } from '../src';
import { Conv2d } from '../src/nn/conv2d';
import { maxAbsDiff, randomData, randomStateDict } from './helpers';
import { spatioTemporalConvRef } from './reference/r2plus1d-reference';
import { channelsFirst, nd, type Nd } from './reference/torch-reference';

const config: FactorisedConvConfig = {
  name: 'conv',
  in: 2,
  mid: intermediateChannels(2, 3, 3, 3),
  out: 3,
  kernel: { t: 3, k: 3 },
  stride: { t: 2, s: 2 },
  padding: { t: 1, s: 1 },
};
const xShape: [number, number, number, number, number] = [2, 4, 5, 5, 2]; // [B, T, H, W, Cin]

function build(): { conv: FactorisedConv; store: ParameterStore; ref: Record<string, Nd> } {
  const store = new ParameterStore(true);
  const conv = new FactorisedConv(store, config);
  const { dict, ref } = randomStateDict(
    store.params.map((p) => p.spec),
    21,
  );
  loadParams('conv', store.params, dict);
  tf.dispose(Object.values(dict));
  return { conv, store, ref };
}

describe('FactorisedConv ((2+1)D conv over conv2d)', () => {
  const xData = randomData(xShape, 5);

  for (const training of [false, true]) {
    it(`matches conv3d(1,k,k) -> BN -> ReLU -> conv3d(t,1,1) in float64 (${training ? 'train' : 'eval'} BN)`, () => {
      const { conv, store, ref } = build();
      const x = tf.tensor(xData, xShape) as tf.Tensor5D;
      const y = conv.apply(x, { training });
      expect(y.shape).toEqual([2, 2, 3, 3, 3]);
      const expected = spatioTemporalConvRef(ref, 'conv', channelsFirst(xData, xShape), 2, 1, training);
      expect(maxAbsDiff(channelsFirst(y.dataSync(), y.shape).data, expected)).toBeLessThan(1e-5);
      tf.dispose([x, y]);
      store.params.forEach((p) => p.variable.dispose());
    });
  }

  it('has gradients that agree with float64 central differences (train-mode BN)', () => {
    const { conv, store, ref } = build();
    const x = tf.tensor(xData, xShape) as tf.Tensor5D;
    const outShape: [number, number, number, number, number] = [2, 2, 3, 3, 3];
    const rData = randomData(outShape, 9);
    const r = tf.tensor(rData, outShape);
    const rFirst = channelsFirst(rData, outShape);
    const xFirst = channelsFirst(xData, xShape);
    const loss64 = (dict: Record<string, Nd>): number => {
      const y = spatioTemporalConvRef(dict, 'conv', xFirst, 2, 1, true);
      return y.data.reduce((s, v, i) => s + v * rFirst.data[i]!, 0);
    };
    const checked = [conv.spatialWeight, conv.temporalWeight, conv.bn.weight, conv.bn.bias];
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(conv.apply(x, { training: true }), r)) as tf.Scalar,
      checked.map((p) => p.variable),
    );
    expect(Math.abs(value.dataSync()[0]! - loss64(ref))).toBeLessThan(1e-4);
    for (const p of checked) {
      const g = tf.tidy(() => p.spec.layout.toTorch(grads[p.variable.name]!, p.spec.torchShape));
      const analytic = g.dataSync();
      const base = ref[p.spec.name]!;
      const h = 1e-6;
      for (let k = 0; k < Math.min(base.data.length, 12); k++) {
        const i = (k * 7919) % base.data.length;
        const plus = { ...ref, [p.spec.name]: nd(base.shape, base.data) };
        const minus = { ...ref, [p.spec.name]: nd(base.shape, base.data) };
        plus[p.spec.name]!.data[i]! += h;
        minus[p.spec.name]!.data[i]! -= h;
        const numeric = (loss64(plus) - loss64(minus)) / (2 * h);
        expect(Math.abs(analytic[i]! - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
      }
      g.dispose();
    }
    tf.dispose([x, r, value, ...Object.values(grads)]);
    store.params.forEach((p) => p.variable.dispose());
  });
});

describe('eval-mode BatchNorm folded into the convolution (one fused kernel)', () => {
  const xData = randomData(xShape, 7);

  it.each([true, false])('FactorisedConv.applyWithBatchNorm equals bn.apply(conv.apply(x)) (relu %s), eval and train', (relu) => {
    const { conv, store } = build();
    const bn = new BatchNorm(store, 'out', config.out);
    bn.weight.variable.assign(tf.tensor1d([1.5, -0.5, 0.8]));
    bn.bias.variable.assign(tf.tensor1d([0.2, -0.1, 0.05]));
    bn.runningMean.variable.assign(tf.tensor1d([0.3, -0.2, 0.1]));
    bn.runningVar.variable.assign(tf.tensor1d([2, 0.5, 1.2]));
    const x = tf.tensor(xData, xShape) as tf.Tensor5D;
    for (const training of [false, true]) {
      const ctx = { training };
      const fused = conv.applyWithBatchNorm(x, bn, ctx, relu);
      const plain = bn.apply(conv.apply(x, ctx), ctx, { relu });
      expect(fused.shape).toEqual(plain.shape);
      expect(maxAbsDiff(fused.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
      tf.dispose([fused, plain]);
    }
    tf.dispose(x);
    bn.releaseFolded();
    conv.bn.releaseFolded();
    store.params.forEach((p) => p.variable.dispose());
  });

  it('Conv2d.applyWithBatchNorm equals bn.apply(conv.apply(x)) in eval mode, and leaks nothing', () => {
    const store = new ParameterStore(true, 3);
    const conv = new Conv2d(store, 'c', 3, 4, 3, 2, 1);
    const bn = new BatchNorm(store, 'bn', 4);
    bn.runningMean.variable.assign(tf.tensor1d([0.1, 0.2, -0.3, 0]));
    bn.runningVar.variable.assign(tf.tensor1d([1.5, 0.7, 2, 1]));
    const x = tf.tensor4d(randomData([2, 7, 6, 3], 9), [2, 7, 6, 3]);
    const before = tf.memory().numTensors;
    const fused = conv.applyWithBatchNorm(x, bn, { training: false }, true);
    expect(tf.memory().numTensors).toBe(before + 3); // the output + the folded kernel and bias (cached)
    const again = conv.applyWithBatchNorm(x, bn, { training: false }, true);
    expect(tf.memory().numTensors).toBe(before + 4); // the cache is reused
    const plain = bn.apply(conv.apply(x), { training: false }, { relu: true });
    expect(maxAbsDiff(fused.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
    // new weights (assign swaps the buffer) invalidate the cache
    conv.weight.variable.assign(tf.mul(conv.weight.variable, 2));
    const changed = conv.applyWithBatchNorm(x, bn, { training: false }, true);
    const plainChanged = bn.apply(conv.apply(x), { training: false }, { relu: true });
    expect(maxAbsDiff(changed.dataSync(), plainChanged.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(changed.dataSync(), fused.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([x, fused, again, plain, changed, plainChanged]);
    const held = tf.memory().numTensors;
    bn.releaseFolded();
    expect(tf.memory().numTensors).toBe(held - 2);
    store.params.forEach((p) => p.variable.dispose());
  });
});
