import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@ccl/encoders';
import { crossEntropy } from '@ccl/losses';
import { variableGradsLean } from '../src';

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function expectSameGrads(a: tf.NamedTensorMap, b: tf.NamedTensorMap): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) expect(Array.from(a[k]!.dataSync())).toEqual(Array.from(b[k]!.dataSync()));
}

describe('variableGradsLean', () => {
  it('gives bit-identical loss and gradients to tf.variableGrads for a train-mode r2plus1d-18 step', () => {
    const enc = createEncoder('r2plus1d-18', { numClasses: 5, widthMultiplier: 1 / 16, seed: 3 });
    enc.train();
    const x = tf.tensor(values(2 * 4 * 32 * 32 * 3, 1), [2, 4, 32, 32, 3]);
    const loss = (): tf.Scalar => crossEntropy(enc.apply(x, { training: true }).logits!, [1, 4]);
    const vars = enc.trainableVariables;
    const ref = tf.variableGrads(loss, vars);
    const lean = variableGradsLean(loss, vars);
    expect(lean.value.dataSync()[0]).toBe(ref.value.dataSync()[0]);
    expectSameGrads(lean.grads, ref.grads);
    expect(Object.keys(lean.grads)).toHaveLength(vars.length);
    tf.dispose([ref.value, lean.value, ...Object.values(ref.grads), ...Object.values(lean.grads)]);
    tf.dispose(x);
    enc.dispose();
  });

  it('handles shared inputs, custom gradients, non-trainable and unconnected variables like tf.variableGrads', () => {
    const w = tf.variable(tf.tensor2d(values(12, 2), [3, 4]), true, 'lean-w');
    const b = tf.variable(tf.tensor1d(values(4, 3)), true, 'lean-b');
    const frozen = tf.variable(tf.tensor1d(values(4, 4)), false, 'lean-frozen');
    const unused = tf.variable(tf.tensor1d([1, 2]), true, 'lean-unused');
    const square = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
      save([t]);
      return { value: tf.square(t), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0]!, 2)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const x = tf.tensor2d(values(6, 5), [2, 3]);
    const f = (): tf.Scalar => {
      const h = tf.add(tf.matMul(x, w), b); // [2, 4]
      const g = square(tf.mul(h, frozen)) as tf.Tensor; // h used twice below
      return tf.sum(tf.add(tf.mul(g, h), tf.relu(h)));
    };
    const list = [w, b, frozen, unused];
    const ref = tf.variableGrads(f, list);
    const lean = variableGradsLean(f, list);
    expect(lean.value.dataSync()[0]).toBe(ref.value.dataSync()[0]);
    expect(lean.grads['lean-frozen']).toBeNull();
    expect('lean-unused' in lean.grads).toBe('lean-unused' in ref.grads);
    const keep = (m: tf.NamedTensorMap): tf.NamedTensorMap => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null)) as tf.NamedTensorMap;
    expectSameGrads(keep(lean.grads), keep(ref.grads));
    tf.dispose([ref.value, lean.value, ...Object.values(keep(ref.grads)), ...Object.values(keep(lean.grads))]);
    const before = tf.memory().numTensors;
    expect(() => variableGradsLean(() => tf.sum(x), [w])).toThrow(/no variable is connected/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b, frozen, unused, x]);
  });

  it('holds less memory through the backward pass than tf.variableGrads and leaves no tensor behind', async () => {
    const layers = Array.from({ length: 12 }, (_, i) => tf.variable(tf.div(tf.tensor2d(values(64 * 64, 10 + i), [64, 64]), 8), true, `lean-chain-${i}`));
    const x = tf.tensor2d(values(256 * 64, 9), [256, 64]);
    const f = (): tf.Scalar => tf.sum(layers.reduce<tf.Tensor>((h, w) => tf.tanh(tf.matMul(h, w)), x)) as tf.Scalar;
    const run = (grads: typeof tf.variableGrads) => (): void => {
      const r = grads(f, layers);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    };
    /** Largest number of bytes held while the backward pass runs (after the loss's Sum kernel). */
    const backwardPeak = async (grads: typeof tf.variableGrads): Promise<number> => {
      const { kernels } = await tf.profile(run(grads));
      const forwardEnd = kernels.findIndex((k) => k.name === 'Sum');
      return Math.max(...kernels.slice(forwardEnd + 1).map((k) => k.totalBytesSnapshot));
    };
    const before = tf.memory().numTensors;
    const tfjsPeak = await backwardPeak(tf.variableGrads);
    // as in a fresh process: the engine's tape field is undefined until its first gradient computation
    (tf.engine() as unknown as { state: { activeTape?: unknown } }).state.activeTape = undefined;
    const leanPeak = await backwardPeak(variableGradsLean);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 5; i++) run(variableGradsLean)();
    expect(tf.memory().numTensors).toBe(before);
    // tfjs keeps every saved tensor and every intermediate gradient to the end; lean releases them (measured 0.6x here)
    expect(leanPeak).toBeLessThan(0.75 * tfjsPeak);
    tf.dispose([x, ...layers]);
  });

  it('inside another gradient computation (higher order) it defers to tf.variableGrads', () => {
    const v = tf.variable(tf.scalar(3), true, 'lean-nested');
    const outer = tf.grad((a: tf.Tensor) => {
      const { value, grads } = variableGradsLean(() => tf.mul(tf.mul(v, v), a) as tf.Scalar, [v]);
      return tf.add(value, grads['lean-nested']!); // a v^2 + 2 a v
    });
    const g = outer(tf.scalar(2));
    expect(g.dataSync()[0]).toBeCloseTo(9 + 6, 5); // d/da = v^2 + 2 v
    tf.dispose([g, v]);
  });
});
