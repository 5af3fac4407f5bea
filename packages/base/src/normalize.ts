import * as tf from '@tensorflow/tfjs-core';

/**
 * Row-wise L2 normalisation as torch's `F.normalize(x, dim=1, eps)`: x / max(||x||_2, eps), forward and
 * backward, including at a row of zeros.
 *
 * Why not `tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), eps))` alone: its forward is torch's, but
 * its gradient at a zero row is NaN (tfjs's norm gradient is x / ||x|| = 0 / 0, and 0 x NaN stays NaN),
 * where torch's is finite (its norm backward masks ||x|| = 0 to 0; the row's gradient is dy / eps, which the
 * ReLU before a pooled feature turns to 0). A student clip whose pooled features are all zero (every unit
 * of its last ReLU off) made CCL's NCE gradient NaN, and the whole student with it (docs/benchmark.md).
 * Here a zero row (mask 1) is normalised with ones in its place and a norm of 0, with masks made by
 * arithmetic (ops that all have gradients, unlike tf.equal), so nothing non-finite is formed; every other row's
 * value and gradient are the plain formula's, bit for bit (x + 0 and norm x 1 are exact).
 *
 * @param x [B, D]
 * @returns [B, D]
 */
export function l2NormalizeRows(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const zeroRow = tf.sub(1, tf.step(tf.sum(tf.abs(x), 1, true))); // [B, 1]: 1 for a row of zeros, else 0 (step's gradient is 0)
    const safe = tf.add(x, zeroRow); // [B, D]: a zero row becomes ones; the others are x exactly
    const norm = tf.mul(tf.norm(safe, 'euclidean', 1, true), tf.sub(1, zeroRow)); // [B, 1]: 0 for a zero row
    return tf.div(x, tf.maximum(norm, eps)) as tf.Tensor2D;
  });
}
