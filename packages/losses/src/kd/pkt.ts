import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { featurePair, normalizeRowsFiniteGrad, type KdCommonOptions } from './common';

const FILE = 'kd/pkt.ts';
const EPS = 1e-7;

export type PktOptions = KdCommonOptions;

/** Row-stochastic conditional distribution from cosine similarities: P_ij = (1 + cos_ij)/2 / sum_k (1 + cos_ik)/2. */
function conditional(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = normalizeRowsFiniteGrad(x); // [B, D]
    const k = tf.div(tf.add(tf.matMul(n, n, false, true), 1), 2); // [B, B] in [0, 1]
    return tf.div(k, tf.sum(k, 1, true));
  });
}

/**
 * Probabilistic knowledge transfer (Passalis & Tefas, "Learning Deep Representations with Probabilistic
 * Knowledge Transfer", ECCV 2018): match the conditional distributions that cosine similarities induce in
 * the batch, with the CRD benchmark's constants.
 *
 *     K_ij = (1 + cos(x_i, x_j)) / 2,   P_ij = K_ij / sum_k K_ik        (for x = student and x = teacher)
 *     L    = (1/B^2) sum_ij P^t_ij log((P^t_ij + 1e-7) / (P^s_ij + 1e-7))
 *
 * Student and teacher sizes may differ. No trainable state. A batch of 1 gives 0 (no relation).
 */
export function createPktLoss(options: PktOptions = {}): Loss {
  return {
    name: 'pkt',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = featurePair(FILE, inputs, options);
      return tf.tidy(() => {
        const ps = conditional(student); // [B, B]
        const pt = conditional(teacher); // [B, B]
        return tf.mean(tf.mul(pt, tf.log(tf.div(tf.add(pt, EPS), tf.add(ps, EPS))))) as tf.Scalar;
      });
    },
    dispose: () => undefined,
  };
}

addLoss('pkt', createPktLoss, { optionKeys: keysOf<PktOptions>({ checkFinite: true }) });
