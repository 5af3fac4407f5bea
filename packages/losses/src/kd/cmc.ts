import * as tf from '@tensorflow/tfjs-core';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { CONTRAST_OPTION_KEYS, ContrastState, type ContrastOptions } from './contrast-setup';
import type { EmbedHead } from './embed-head';
import type { ContrastMemory } from './memory-bank';

const FILE = 'kd/cmc.ts';

export type CmcOptions = ContrastOptions;

export interface CmcLoss extends Loss {
  readonly studentHead: EmbedHead;
  readonly teacherHead: EmbedHead;
  readonly memory: ContrastMemory;
  /** The step's contrast table [B * (K + 1)] for these dataset indices (column 0 = positive). */
  contrastIndices(indices: ArrayLike<number>): Int32Array;
}

/** -mean_i log softmax(logits_i)[0]: InfoNCE with the positive in column 0. */
function infoNce(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.slice(tf.logSoftmax(logits), [0, 0], [logits.shape[0], 1]))) as tf.Scalar);
}

/**
 * Contrastive multiview coding (Tian, Krishnan & Isola, "Contrastive Multiview Coding", ECCV 2020 /
 * arXiv:1906.05849, 2019) between the student and teacher views: symmetric cross-view InfoNCE with instance
 * positives and memory-bank negatives (the code's NCESoftmaxLoss path).
 *
 *     e^s = normalise(W_s s + b_s),  e^t = normalise(W_t t + b_t)
 *     c_i = (y_i, n_1..n_K)                        dataset index of the anchor, then K negatives
 *     L = -(1/B) sum_i log softmax_j(<M^t[c_ij], e^s_i> / T)_0  -  (1/B) sum_i log softmax_j(<M^s[c_ij], e^t_i> / T)_0
 *
 * M^s, M^t are memory banks updated by `afterStep` (M[y_i] <- normalise(m M[y_i] + (1 - m) e_i), m = 0.5).
 * Reads `inputs.indices`. Trainable: both heads. Buffers: both banks and their step counter.
 */
export function createCmcLoss(options: CmcOptions): CmcLoss {
  const state = new ContrastState(FILE, 'cmc', options, 4096);
  return {
    name: 'cmc',
    studentHead: state.studentHead,
    teacherHead: state.teacherHead,
    memory: state.memory,
    variables: state.variables,
    buffers: state.memory.variables,
    contrastIndices: (indices) => state.memory.contrastIndices(Int32Array.from(indices), state.numNegatives),
    compute(inputs: LossInputs): tf.Scalar {
      return tf.tidy(() => {
        const scores = state.scores(inputs);
        return tf.add(infoNce(scores.student), infoNce(scores.teacher)) as tf.Scalar;
      });
    },
    afterStep: (inputs) => state.afterStep(inputs),
    dispose: () => state.dispose(),
  };
}

addLoss('cmc', createCmcLoss, { optionKeys: CONTRAST_OPTION_KEYS });
