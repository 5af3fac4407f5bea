import * as tf from '@tensorflow/tfjs-core';
import '../src/gradients';
import { l2NormalizeRows } from '../src';

/** The formula as it was (torch's forward, NaN gradient at a zero row): the reference for every other row. */
const plain = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;

describe('l2NormalizeRows: torch F.normalize(x, dim=1), forward and backward', () => {
  // row 0: a clip whose pre-activations are all negative, so its pooled ReLU features are all zero
  const pre = tf.tensor2d([
    [-1, -2, -0.5],
    [0.3, -1, 2],
    [1e-3, 4, -7],
  ]);
  const target = tf.tensor2d([
    [0.1, 0.2, 0.3],
    [0.3, 0.2, 0.1],
    [-0.4, 0.5, 0.6],
  ]);
  const gradThroughRelu = (norm: (x: tf.Tensor2D) => tf.Tensor2D) =>
    Array.from(
      tf
        .grad((p: tf.Tensor) => tf.sum(tf.mul(norm(tf.relu(p) as tf.Tensor2D), target)))(pre)
        .dataSync(),
    );

  it("gives a zero row the gradient torch gives it (0 once the ReLU's mask applies; the plain formula gives NaN)", () => {
    const plainGrad = gradThroughRelu(plain);
    expect(plainGrad.slice(0, 3).every(Number.isNaN)).toBe(true); // the trap this replaces
    expect(gradThroughRelu(l2NormalizeRows).slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('a zero row normalises to zeros, and its own gradient is dy / eps as in torch (x / max(||x||, eps) with ||x|| = 0 < eps)', () => {
    expect(Array.from(l2NormalizeRows(tf.zeros([1, 3])).dataSync())).toEqual([0, 0, 0]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(l2NormalizeRows(x as tf.Tensor2D), tf.tensor2d([[1, -2, 3]]))))(tf.zeros([1, 3]));
    expect(Array.from(g.dataSync())).toEqual([1e12, -2e12, 3e12].map(Math.fround));
  });

  it('every other row: the value and the gradient of the plain formula, bit for bit', () => {
    const x = tf.relu(pre) as tf.Tensor2D;
    expect(Array.from(l2NormalizeRows(x).dataSync()).slice(3)).toEqual(Array.from(plain(x).dataSync()).slice(3));
    expect(gradThroughRelu(l2NormalizeRows).slice(3)).toEqual(gradThroughRelu(plain).slice(3));
  });
});
