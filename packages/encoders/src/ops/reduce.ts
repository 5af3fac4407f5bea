import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean of each column of x, as two average poolings over its rows:
 *
 *     x [n, C] viewed as [1, h, w, C] with h w = n (h the largest divisor of n not above sqrt(n))
 *     -> avgPool [1, w] stride [1, w]  -> [1, h, 1, C]   (the mean of each group of w rows)
 *     -> avgPool [h, 1]                -> [1, 1, 1, C]   (the mean of the h group means = the mean)
 *
 * Why not `tf.mean(x, 0)`: backends reduce the innermost axis, so a reduction over the rows transposes the
 * whole [n, C] input first. Measured on the WASM backend (tfjs 4.22, [50176, 144]): tf.mean 40 ms, one
 * average pooling 4-6 ms (XNNPACK); on the cpu backend 378 vs 45 ms. The first pooling has h outputs, so
 * a backend that spreads a pooling over its outputs (XNNPACK's thread pool, a GPU) uses all of them; one
 * pooling over a window of n rows would give it a single output to work on.
 *
 * @param x [n, C]
 * @returns [C]
 */
export function columnMean(x: tf.Tensor2D): tf.Tensor1D {
  const [n, c] = x.shape;
  if (n < 1) throw new Error(`columnMean: needs at least one row, got shape [${x.shape.join(', ')}]`);
  const [h, w] = nearSquareFactors(n);
  return tf.tidy(() => {
    const grouped = tf.avgPool(tf.reshape(x, [1, h, w, c]) as tf.Tensor4D, [1, w], [1, w], 'valid'); // [1, h, 1, C]
    const mean = h === 1 ? grouped : tf.avgPool(grouped, [h, 1], [h, 1], 'valid'); // [1, 1, 1, C]
    return tf.reshape(mean, [c]) as tf.Tensor1D;
  });
}

/**
 * Sum of each column of x (`columnMean` times the number of rows; see there why not `tf.sum(x, 0)`).
 *
 * @param x [n, C]
 * @returns [C]
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(columnMean(x), x.shape[0]) as tf.Tensor1D);
}

/** [h, w] with h w = n, h the largest divisor of n with h <= sqrt(n). */
export function nearSquareFactors(n: number): [number, number] {
  for (let h = Math.floor(Math.sqrt(n)); h > 1; h--) if (n % h === 0) return [h, n / h];
  return [1, n];
}
