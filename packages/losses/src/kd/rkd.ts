import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { featurePair, smoothL1, type KdCommonOptions } from './common';

const FILE = 'kd/rkd.ts';
const DIST_EPS = 1e-12;

export interface RkdOptions extends KdCommonOptions {
  /** Weight of the distance-wise term (default 25). */
  distanceWeight?: number;
  /** Weight of the angle-wise term (default 50). */
  angleWeight?: number;
}

/** Euclidean distances [B, B] with a zero diagonal, normalised by their mean over positive entries (or 0 when there are none). */
function normalisedDistances(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const b = x.shape[0];
    const sq = tf.sum(tf.square(x), 1); // [B]
    const d2 = tf.sub(tf.add(tf.reshape(sq, [b, 1]), tf.reshape(sq, [1, b])), tf.mul(2, tf.matMul(x, x, false, true))); // [B, B]
    const offDiagonal = tf.sub(1, tf.eye(b)); // [B, B]
    const d = tf.mul(tf.sqrt(tf.maximum(d2, DIST_EPS)), offDiagonal); // [B, B]
    const positive = tf.step(d); // 1 where d > 0 (zero gradient)
    const mean = tf.div(tf.sum(d), tf.maximum(tf.sum(positive), 1)); // scalar
    return tf.div(d, tf.maximum(mean, DIST_EPS));
  });
}

/** Cosines of the angles at every vertex j of every triplet (i, j, k): <e_ij, e_kj> with e_ij = unit(x_i - x_j); flattened [B^3]. */
function angles(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const b = x.shape[0];
    const diff = tf.sub(tf.expandDims(x, 0), tf.expandDims(x, 1)); // [B, B, D]: diff[j, i] = x_i - x_j
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(diff), 2, true), DIST_EPS * DIST_EPS)); // [B, B, 1]
    const unit = tf.div(diff, norm); // [B, B, D]
    return tf.reshape(tf.matMul(unit, unit, false, true), [b * b * b]); // [B, B, B] -> [B^3]
  });
}

/**
 * Relational knowledge distillation (Park et al., "Relational Knowledge Distillation", CVPR 2019), in the
 * CRD benchmark's form. With psi_D(i, j) = ||x_i - x_j|| / mu (mu = mean of the positive distances in the
 * batch) and psi_A(i, j, k) = <(x_i - x_j)/||x_i - x_j||, (x_k - x_j)/||x_k - x_j||>:
 *
 *     L = w_D * mean_{i,j} huber(psi_D^s - psi_D^t) + w_A * mean_{i,j,k} huber(psi_A^s - psi_A^t)
 *     huber(x) = 0.5 x^2 if |x| < 1 else |x| - 0.5;   w_D = 25, w_A = 50
 *
 * Sizes may differ. No trainable state. A batch of 1 gives 0 (no pairs; the reference code gives NaN).
 */
export function createRkdLoss(options: RkdOptions = {}): Loss {
  const wd = options.distanceWeight ?? 25;
  const wa = options.angleWeight ?? 50;
  return {
    name: 'rkd',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = featurePair(FILE, inputs, options);
      return tf.tidy(() => {
        const distance = tf.mean(smoothL1(tf.sub(normalisedDistances(student), normalisedDistances(teacher))));
        const angle = tf.mean(smoothL1(tf.sub(angles(student), angles(teacher))));
        return tf.add(tf.mul(wd, distance), tf.mul(wa, angle)) as tf.Scalar;
      });
    },
    dispose: () => undefined,
  };
}

addLoss('rkd', createRkdLoss, { optionKeys: keysOf<RkdOptions>({ distanceWeight: true, angleWeight: true, checkFinite: true }) });
