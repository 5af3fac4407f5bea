import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { expectFinite, fail, flattenBatch, normalizeRowsFiniteGrad, type KdCommonOptions } from './common';

const FILE = 'kd/sp.ts';

export type SpOptions = KdCommonOptions;

/**
 * Similarity-preserving distillation (Tung & Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019).
 * Features of any rank are flattened to Q [B, D].
 *
 *     G = row_normalise(Q Q^T)             [B, B], each row divided by its L2 norm
 *     L = (1/B^2) ||G^t - G^s||_F^2
 *
 * Sizes may differ. No trainable state. A batch of 1 gives 0.
 */
export function createSpLoss(options: SpOptions = {}): Loss {
  return {
    name: 'sp',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = inputs;
      if (!student || !teacher) fail(FILE, 'inputs.student and inputs.teacher are required');
      if (student.rank < 2 || teacher.rank < 2) fail(FILE, `features must be [B, ...], got [${student.shape}] and [${teacher.shape}]`);
      if (student.shape[0] !== teacher.shape[0]) fail(FILE, `batch sizes differ: student [${student.shape}], teacher [${teacher.shape}]`);
      if (student.size === 0 || teacher.size === 0) fail(FILE, 'empty features');
      if (options.checkFinite !== false) {
        expectFinite(FILE, 'student', student);
        expectFinite(FILE, 'teacher', teacher);
      }
      const batch = student.shape[0];
      return tf.tidy(() => {
        const gram = (x: tf.Tensor): tf.Tensor2D => {
          const q = flattenBatch(x);
          return normalizeRowsFiniteGrad(tf.matMul(q, q, false, true));
        };
        return tf.div(tf.sum(tf.square(tf.sub(gram(teacher), gram(student)))), batch * batch) as tf.Scalar;
      });
    },
    dispose: () => undefined,
  };
}

addLoss('sp', createSpLoss, { optionKeys: keysOf<SpOptions>({ checkFinite: true }) });
