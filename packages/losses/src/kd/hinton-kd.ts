import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { expectFinite, expectMatrix, expectPositive, fail, type KdCommonOptions } from './common';

const FILE = 'kd/hinton-kd.ts';

export interface HintonKdOptions extends KdCommonOptions {
  /** Softmax temperature T (default 4, the usual CIFAR setting of the CRD benchmark). */
  temperature?: number;
}

/**
 * Logit knowledge distillation (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network",
 * NIPS Deep Learning Workshop 2014 / arXiv:1503.02531, 2015). Only for a teacher with the student's label space.
 *
 *     p^t = softmax(z^t / T),  p^s = softmax(z^s / T)
 *     L   = T^2 * mean_i sum_c p^t_ic (log p^t_ic - log p^s_ic)          (batch-mean KL(p^t || p^s))
 *
 * Reads `inputs.studentLogits` and `inputs.teacherLogits` [B, K]; the T^2 factor keeps gradient magnitudes
 * comparable across temperatures. No trainable state.
 */
export function createHintonKdLoss(options: HintonKdOptions = {}): Loss {
  const temperature = expectPositive(FILE, 'temperature', options.temperature ?? 4);
  return {
    name: 'kd',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { studentLogits: zs, teacherLogits: zt } = inputs;
      if (!zs || !zt) fail(FILE, 'inputs.studentLogits and inputs.teacherLogits are required (KD distils logits)');
      expectMatrix(FILE, 'studentLogits', zs);
      expectMatrix(FILE, 'teacherLogits', zt, zs.shape[0], zs.shape[1]);
      if (options.checkFinite !== false) {
        expectFinite(FILE, 'studentLogits', zs);
        expectFinite(FILE, 'teacherLogits', zt);
      }
      return tf.tidy(() => {
        const logPs = tf.logSoftmax(tf.div(zs, temperature)); // [B, K]
        const logPt = tf.logSoftmax(tf.div(zt, temperature)); // [B, K]
        const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1); // [B]
        return tf.mul(temperature * temperature, tf.mean(kl)) as tf.Scalar;
      });
    },
    dispose: () => undefined,
  };
}

addLoss('kd', createHintonKdLoss, { optionKeys: keysOf<HintonKdOptions>({ temperature: true, checkFinite: true }) });
