import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { expectPositive, fail, featurePair, normalizeRowsFiniteGrad, type KdCommonOptions } from './common';

const FILE = 'kd/cor.ts';

/** Kernel of the correlation matrix. */
export type CorKernel = 'cosine' | 'gaussian';

export interface CorOptions extends KdCommonOptions {
  /** `cosine` (default): C_ij = cos(x_i, x_j). `gaussian`: C_ij = exp(-gamma ||x_i - x_j||^2) on L2-normalised rows. */
  kernel?: CorKernel;
  /** gamma of the gaussian kernel (default 0.4, the CCKD paper's value). */
  gamma?: number;
}

/**
 * Correlation congruence (Peng et al., "Correlation Congruence for Knowledge Distillation", ICCV 2019):
 * match the batch correlation matrices of student and teacher.
 *
 *     x_i <- x_i / ||x_i||
 *     C_ij = k(x_i, x_j)       k = cosine (x_i . x_j)  or  gaussian exp(-gamma ||x_i - x_j||^2)
 *     L    = (1/B^2) sum_ij (C^s_ij - C^t_ij)^2
 *
 * CCKD approximates the gaussian kernel by a Taylor series; here it is computed exactly. Sizes may differ.
 * No trainable state. A batch of 1 gives 0.
 */
export function createCorLoss(options: CorOptions = {}): Loss {
  const kernel = options.kernel ?? 'cosine';
  if (kernel !== 'cosine' && kernel !== 'gaussian') fail(FILE, `kernel must be 'cosine' or 'gaussian', got '${String(kernel)}'`);
  const gamma = expectPositive(FILE, 'gamma', options.gamma ?? 0.4);
  const correlation = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const n = normalizeRowsFiniteGrad(x);
      const cos = tf.matMul(n, n, false, true); // [B, B]
      // ||a - b||^2 = 2 - 2 cos for unit rows
      const k: tf.Tensor = kernel === 'cosine' ? cos : tf.exp(tf.mul(-gamma, tf.sub(2, tf.mul(2, cos))));
      return k as tf.Tensor2D;
    });
  return {
    name: 'cor',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = featurePair(FILE, inputs, options);
      return tf.tidy(() => tf.mean(tf.square(tf.sub(correlation(student), correlation(teacher)))) as tf.Scalar);
    },
    dispose: () => undefined,
  };
}

addLoss('cor', createCorLoss, { optionKeys: keysOf<CorOptions>({ kernel: true, gamma: true, checkFinite: true }) });
