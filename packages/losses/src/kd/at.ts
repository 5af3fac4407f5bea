import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { expectFinite, expectPositive, fail, normalizeRowsFiniteGrad, type KdCommonOptions } from './common';

const FILE = 'kd/at.ts';

export interface AtOptions extends KdCommonOptions {
  /** Exponent p of the attention map (default 2). */
  p?: number;
}

/**
 * Attention transfer (Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017), in the CRD
 * benchmark's form.
 *
 *     feature maps [B, H, W, C]:  a(x) = normalise( mean_c |x|^p )   flattened to [B, H*W]
 *     vectors      [B, D]:        a(x) = normalise( |x|^p )        (each dimension is one "position")
 *     L = mean_{i,k} (a(s)_ik - a(t)_ik)^2
 *
 * Student and teacher must have the same spatial size (maps) or the same size D (vectors); channel counts of
 * maps may differ. No trainable state.
 */
export function createAtLoss(options: AtOptions = {}): Loss {
  const p = expectPositive(FILE, 'p', options.p ?? 2);
  const attention = (x: tf.Tensor): tf.Tensor2D =>
    tf.tidy(() => {
      const powered = tf.pow(tf.abs(x), p);
      const map = x.rank === 4 ? tf.reshape(tf.mean(powered, 3), [x.shape[0], -1]) : (powered as tf.Tensor2D);
      return normalizeRowsFiniteGrad(map as tf.Tensor2D);
    });
  return {
    name: 'at',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = inputs;
      if (!student || !teacher) fail(FILE, 'inputs.student and inputs.teacher are required');
      if (student.rank !== teacher.rank || (student.rank !== 2 && student.rank !== 4)) {
        fail(FILE, `student and teacher must both be [B, D] or both [B, H, W, C], got [${student.shape}] and [${teacher.shape}]`);
      }
      const same = student.rank === 2 ? student.shape[1] === teacher.shape[1] : student.shape[1] === teacher.shape[1] && student.shape[2] === teacher.shape[2];
      if (student.shape[0] !== teacher.shape[0] || !same) {
        fail(FILE, `student [${student.shape}] and teacher [${teacher.shape}] need the same batch and ${student.rank === 2 ? 'size D' : 'spatial size H, W'}`);
      }
      if (student.size === 0) fail(FILE, 'empty features');
      if (options.checkFinite !== false) {
        expectFinite(FILE, 'student', student);
        expectFinite(FILE, 'teacher', teacher);
      }
      return tf.tidy(() => tf.mean(tf.square(tf.sub(attention(student), attention(teacher)))) as tf.Scalar);
    },
    dispose: () => undefined,
  };
}

addLoss('at', createAtLoss, { optionKeys: keysOf<AtOptions>({ p: true, checkFinite: true }) });
