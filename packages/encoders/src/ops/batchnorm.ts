import * as tf from '@tensorflow/tfjs-core';
import { columnMean, columnSum } from './reduce';

/** Options of `batchNormTrain`. */
export interface BatchNormTrainOptions {
  /** added to the variance (torch: 1e-5) */
  readonly eps: number;
  /** apply max(., 0) to the output (a BatchNorm followed by a ReLU, fused) */
  readonly relu?: boolean;
  /**
   * Called once in the forward pass with the batch mean and the biased variance ([C] each, disposed after
   * the call): where the caller updates its running statistics.
   */
  readonly onStatistics?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;
}

/**
 * Train-mode batch normalisation of the rows of x (Ioffe & Szegedy, "Batch Normalization", ICML 2015,
 * Alg. 1 and section 3), optionally followed by a ReLU, with a hand-written gradient:
 *
 *     mu = mean_r x,  var = mean_r (x - mu)^2,  s = 1 / sqrt(var + eps)
 *     y = gamma s (x - mu) + beta                                   (then z = max(y, 0) with `relu`)
 *
 *     g = dz * [z > 0]  (or dy),  n = rows
 *     dbeta  = sum_r g
 *     dgamma = s sum_r g (x - mu)
 *     dx     = gamma s (g - dbeta / n - s^2 (x - mu) sum_r g (x - mu) / n)
 *
 * Why not autodiff of the ops: tfjs's tape keeps every intermediate of the ~10 ops of a batch norm for the
 * backward pass (centred input, its square, the normalised input, the pre-ReLU output) and the backward
 * runs ~20 ops. This keeps only x and the output z (which is also the next convolution's input, so it is
 * stored once), like PyTorch, and its backward is 8 passes over the data.
 *
 * @param x [n, C]
 * @param gamma [C] scale, beta [C] shift
 * @returns [n, C]
 */
export function batchNormTrain(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: BatchNormTrainOptions): tf.Tensor2D {
  const n = x.shape[0];
  const relu = options.relu ?? false;
  const op = tf.customGrad(((xIn: tf.Tensor2D, gIn: tf.Tensor1D, bIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    // [n, C] intermediates are released as soon as they are used (see the gradient below)
    const mean = columnMean(xIn); // [C] (row reductions as poolings: see reduce.ts)
    const centred = tf.sub(xIn, mean); // [n, C]
    const squares = tf.square(centred); // [n, C]
    const variance = columnMean(squares as tf.Tensor2D); // [C], biased
    squares.dispose();
    options.onStatistics?.(mean, variance);
    const invStd = tf.tidy(() => tf.rsqrt(tf.add(variance, options.eps))) as tf.Tensor1D; // [C]
    const scale = tf.mul(gIn, invStd); // [C]
    const scaled = tf.mul(centred, scale); // [n, C]
    tf.dispose([centred, scale, variance]);
    const y = tf.add(scaled, bIn) as tf.Tensor2D; // [n, C]
    scaled.dispose();
    let z = y;
    if (relu) {
      z = tf.relu(y);
      y.dispose();
    }
    save(relu ? [xIn, mean, invStd, gIn, z] : [xIn, mean, invStd, gIn]);
    return {
      value: z,
      // Every [n, C] intermediate is released as soon as it is used (not at the end of one tidy): with ~8 of
      // them alive at once, a BatchNorm's backward was the peak of a whole step's memory.
      gradFunc: (dz: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, mu, s, g, zs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D | undefined];
        const dy = zs === undefined ? dz : maskedByPositive(dz, zs); // [n, C]
        const centred = tf.sub(xs, mu); // [n, C]
        const dBeta = columnSum(dy); // [C]
        const product = tf.mul(dy, centred); // [n, C]
        const dyCentred = columnSum(product as tf.Tensor2D); // [C]
        product.dispose();
        const [dGamma, a, b, c] = tf.tidy(() => {
          const aa = tf.mul(g, s); // [C]
          return [
            tf.mul(dyCentred, s), // dgamma [C]
            aa,
            tf.neg(tf.mul(aa, tf.mul(tf.square(s), tf.div(dyCentred, n)))), // [C]
            tf.neg(tf.mul(aa, tf.div(dBeta, n))), // [C]
          ];
        });
        dyCentred.dispose();
        const scaledDy = tf.mul(dy, a); // [n, C]
        if (dy !== dz) dy.dispose();
        const scaledCentred = tf.mul(centred, b); // [n, C]
        centred.dispose();
        const sum = tf.add(scaledDy, scaledCentred); // [n, C]
        tf.dispose([scaledDy, scaledCentred]);
        const dx = tf.add(sum, c); // [n, C]
        tf.dispose([sum, a, b, c]);
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;
  if (n < 1) throw new Error(`batchNormTrain: needs at least one row, got shape [${x.shape.join(', ')}]`);
  return op(x, gamma, beta);
}

/** dz where z > 0, else 0 (the ReLU's gradient), releasing the mask at once. */
function maskedByPositive<T extends tf.Tensor>(dz: T, z: T): T {
  const mask = tf.step(z);
  const out = tf.mul(dz, mask) as T;
  mask.dispose();
  return out;
}
