import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import { assertMatrix } from './labels';
import { requiredInput, statelessLoss } from './loss';
import { addLoss } from './loss-registry';

export interface JsdOptions {
  /** Weight w of the term; 0.5 in every run of the reference (the default). */
  weight?: number;
}

const LOG_EPS = Math.log(1e-10);

/** log(exp(x) + 1e-10), computed without overflow or underflow: logaddexp(x, log 1e-10). */
function logRatioPlusEps(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.maximum(x, LOG_EPS), tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(x, LOG_EPS)))))));
}

/**
 * The "JSD" of the CCL reference code (Chen et al., CVPR 2021; METHOD §3): half the symmetric KL between
 * the softmaxes of two logit sets, times a weight. Neither side is detached.
 *
 *     p = softmax(a), q = softmax(b)
 *     jsd(a, b) = w * mean_batch( sum_c p log(p/q + 1e-10) + sum_c q log(q/p + 1e-10) )
 *
 * Computed from log-softmax differences: log(p/q + 1e-10) = logaddexp(log p - log q, log 1e-10), which
 * equals the reference wherever the reference is finite and stays finite where p/q over- or underflows.
 *
 * @param logitsP [B, C]
 * @param logitsQ [B, C]
 * @returns scalar
 */
export function jsdLoss(logitsP: tf.Tensor2D, logitsQ: tf.Tensor2D, options: JsdOptions = {}): tf.Scalar {
  assertMatrix(logitsP, 'jsdLoss logitsP');
  assertMatrix(logitsQ, 'jsdLoss logitsQ', logitsP.shape[0]);
  if (logitsP.shape[1] !== logitsQ.shape[1]) throw new Error(`jsdLoss: class counts differ, [${logitsP.shape}] vs [${logitsQ.shape}]`);
  const weight = options.weight ?? 0.5;
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logitsP); // [B, C]
    const lq = tf.logSoftmax(logitsQ); // [B, C]
    const diff = tf.sub(lp, lq);
    const pq = tf.sum(tf.mul(tf.exp(lp), logRatioPlusEps(diff)), 1); // [B]
    const qp = tf.sum(tf.mul(tf.exp(lq), logRatioPlusEps(tf.neg(diff))), 1); // [B]
    return tf.mul(weight, tf.mean(tf.add(pq, qp))) as tf.Scalar;
  });
}

addLoss<JsdOptions>(
  'jsd',
  (o) =>
    statelessLoss('jsd', (x) => jsdLoss(requiredInput('jsd', 'studentLogits', x.studentLogits), requiredInput('jsd', 'teacherLogits', x.teacherLogits), o)),
  { optionKeys: keysOf<JsdOptions>({ weight: true }) },
);
