import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { featurePair, intArray, normalizeRowsFiniteGrad, type KdCommonOptions } from './common';

const FILE = 'kd/ifd.ts';

export type IfdOptions = KdCommonOptions;

/** A [B, B] with A_ij = [y_i == y_j] / #{k : y_k == y_i}: A x is each row's class mean (prototype). */
function prototypeOperator(labels: Int32Array): tf.Tensor2D {
  const b = labels.length;
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  const a = new Float32Array(b * b);
  for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) if (labels[i] === labels[j]) a[i * b + j] = 1 / (counts.get(labels[i]) ?? 1);
  return tf.tensor2d(a, [b, b]);
}

/**
 * "IFD": the paper's citation for this baseline is not recoverable. We read it as intra-class feature
 * variation distillation (Wang et al., "Intra-class Feature Variation Distillation for Semantic
 * Segmentation", ECCV 2020), adapted from pixel maps to one embedding per sample: each sample's cosine
 * similarity to its class prototype (the batch mean of its class) describes the intra-class variation, and
 * the student copies the teacher's.
 *
 *     c_y  = mean_{k: y_k = y} x_k                     class prototypes in the batch
 *     v_i  = cos(x_i, c_{y_i})                          [B]
 *     L    = mean_i (v^s_i - v^t_i)^2
 *
 * Reads `inputs.labels`. Sizes may differ. No trainable state. A sample alone in its class has v = 1 for
 * both networks and contributes 0; so does a batch of 1.
 */
export function createIfdLoss(options: IfdOptions = {}): Loss {
  const variation = (x: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor1D =>
    tf.tidy(() => tf.sum(tf.mul(normalizeRowsFiniteGrad(x), normalizeRowsFiniteGrad(tf.matMul(a, x))), 1)); // [B]
  return {
    name: 'ifd',
    variables: [],
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher, batch } = featurePair(FILE, inputs, options);
      const labels = intArray(FILE, 'labels', inputs.labels, batch);
      return tf.tidy(() => {
        const a = prototypeOperator(labels);
        return tf.mean(tf.square(tf.sub(variation(student, a), variation(teacher, a)))) as tf.Scalar;
      });
    },
    dispose: () => undefined,
  };
}

addLoss('ifd', createIfdLoss, { optionKeys: keysOf<IfdOptions>({ checkFinite: true }) });
