import * as tf from '@tensorflow/tfjs-core';
import { keysOf, l2NormalizeRows } from '@ccl/base';
import { assertMatrix, labelTensor, type Labels } from './labels';
import { requiredInput, statelessLoss } from './loss';
import { addLoss } from './loss-registry';

/** What to do with an anchor row whose batch has no negative (every sample shares its class). */
export type NoNegativesPolicy = 'drop' | 'nan';

export interface MultiClassNceOptions {
  /** Softmax temperature tau (0.5 for audio, 0.1 for images in the reference runs). */
  temperature: number;
  /**
   * `drop` (default): a row with no negatives contributes only its positive term.
   * `nan`: the authors' code, where that row's negative term is 0/0 = NaN (reference behaviour).
   */
  noNegatives?: NoNegativesPolicy;
}

const LOG_EPS = 1e-10;

/**
 * Multi-class NCE of CCL (Chen et al., "Distilling Audio-Visual Knowledge by Compositional Contrastive
 * Learning", CVPR 2021; METHOD §3). Asymmetric: rows of `f1` are the anchors.
 *
 *     f1, f2 <- L2-normalised rows
 *     cos_ij = 1 - 0.5 ||f1_i - f2_j||^2
 *     p_ij   = softmax_j(cos_ij / tau)
 *     pos_ij = [y_i == y_j],  neg_ij = 1 - pos_ij
 *     loss_i = sum_j -log(p_ij + 1e-10) pos_ij / sum_j pos_ij
 *            + sum_j -log(1 - p_ij + 1e-10) neg_ij / sum_j neg_ij
 *     loss   = mean_i loss_i
 *
 * Rows without negatives (a single-class batch) are 0/0 in the authors' code; by default their negative
 * term is dropped (`noNegatives: 'drop'`), `'nan'` reproduces the reference.
 *
 * @param f1 anchors [B, D]
 * @param f2 candidates [B, D]
 * @param labels class of each pair [B]
 * @returns scalar loss
 */
export function multiClassNce(f1: tf.Tensor2D, f2: tf.Tensor2D, labels: Labels, options: MultiClassNceOptions): tf.Scalar {
  assertMatrix(f1, 'multiClassNce f1');
  const batch = f1.shape[0];
  assertMatrix(f2, 'multiClassNce f2', batch);
  if (f1.shape[1] !== f2.shape[1]) throw new Error(`multiClassNce: feature sizes differ, [${f1.shape}] vs [${f2.shape}]`);
  if (!(options.temperature > 0)) throw new Error(`multiClassNce: temperature must be > 0, got ${options.temperature}`);
  const policy = options.noNegatives ?? 'drop';
  return tf.tidy(() => {
    const y = labelTensor(labels, batch, 'multiClassNce');
    const a = l2NormalizeRows(f1); // [B, D]
    const b = l2NormalizeRows(f2); // [B, D]
    const sqA = tf.sum(tf.square(a), 1, true); // [B, 1]
    const sqB = tf.reshape(tf.sum(tf.square(b), 1), [1, batch]); // [1, B]
    const dist = tf.sub(tf.add(sqA, sqB), tf.mul(2, tf.matMul(a, b, false, true))); // [B, B] squared distances
    const cos = tf.sub(1, tf.mul(0.5, dist)); // [B, B]
    const p = tf.softmax(tf.div(cos, options.temperature)); // [B, B], rows sum to 1
    const pos = tf.cast(tf.equal(tf.reshape(y, [batch, 1]), tf.reshape(y, [1, batch])), 'float32'); // [B, B]
    const neg = tf.sub(1, pos);
    const posTerm = tf.div(tf.sum(tf.mul(tf.neg(tf.log(tf.add(p, LOG_EPS))), pos), 1), tf.sum(pos, 1)); // [B]
    const negSum = tf.sum(tf.mul(tf.neg(tf.log(tf.add(tf.sub(1, p), LOG_EPS))), neg), 1); // [B]
    const negCount = tf.sum(neg, 1); // [B]
    const negTerm =
      policy === 'nan' ? tf.div(negSum, negCount) : tf.where(tf.greater(negCount, 0), tf.div(negSum, tf.maximum(negCount, 1)), tf.zerosLike(negSum));
    return tf.mean(tf.add(posTerm, negTerm)) as tf.Scalar;
  });
}

addLoss<MultiClassNceOptions>(
  'nce',
  (o) => statelessLoss('nce', (x) => multiClassNce(x.student as tf.Tensor2D, x.teacher as tf.Tensor2D, requiredInput('nce', 'labels', x.labels), o)),
  { optionKeys: keysOf<MultiClassNceOptions>({ temperature: true, noNegatives: true }) },
);
