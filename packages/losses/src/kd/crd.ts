import * as tf from '@tensorflow/tfjs-core';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { CONTRAST_OPTION_KEYS, ContrastState, type ContrastOptions } from './contrast-setup';
import type { EmbedHead } from './embed-head';
import type { ContrastMemory } from './memory-bank';

const FILE = 'kd/crd.ts';
const EPS = 1e-7;

export type CrdOptions = ContrastOptions;

export interface CrdLoss extends Loss {
  readonly studentHead: EmbedHead;
  readonly teacherHead: EmbedHead;
  readonly memory: ContrastMemory;
  /** The normalisers Z (fixed on the first call, as in the CRD code; float32, a buffer); null before it. */
  readonly normalizers: { student: number; teacher: number } | null;
  /** Restores the normalisers (resuming from a checkpoint). */
  setNormalizers(z: { student: number; teacher: number }): void;
  /** The step's contrast table [B * (K + 1)] for these dataset indices (column 0 = positive). */
  contrastIndices(indices: ArrayLike<number>): Int32Array;
}

/** CRD's NCE loss of one view: x [B, K+1] = exp(score)/Z, positive in column 0. */
function nceTerm(x: tf.Tensor2D, k: number, n: number): tf.Scalar {
  return tf.tidy(() => {
    const b = x.shape[0];
    const mPn = k / n; // K * P_n with the uniform noise distribution P_n = 1/N
    const pos = tf.slice(x, [0, 0], [b, 1]); // [B, 1]
    const neg = tf.slice(x, [0, 1], [b, k]); // [B, K]
    const logD1 = tf.log(tf.div(pos, tf.add(pos, mPn + EPS)));
    const logD0 = tf.log(tf.div(mPn, tf.add(neg, mPn + EPS)));
    return tf.div(tf.neg(tf.add(tf.sum(logD1), tf.sum(logD0))), b) as tf.Scalar;
  });
}

/**
 * Contrastive representation distillation (Tian, Krishnan & Isola, "Contrastive Representation
 * Distillation", ICLR 2020), NCE form with a momentum memory bank, as in the authors' code:
 *
 *     e^s = normalise(W_s s + b_s),  e^t = normalise(W_t t + b_t)          (projection heads, E = 128)
 *     for anchor i with dataset index y_i and K negatives n_1..n_K:
 *       x^s_ij = exp(<M^t[c_ij], e^s_i> / T) / Z^s,  x^t_ij = exp(<M^s[c_ij], e^t_i> / T) / Z^t,  c_i = (y_i, n_1..n_K)
 *     h(x) = x / (x + K/N),   N = bank size
 *     L = -(1/B) sum_i [ log h(x_i0) + sum_{j>=1} log(1 - h(x_ij)) ]   for each view, summed
 *
 * (computed as log(x / (x + K/N + 1e-7)) and log((K/N) / (x + K/N + 1e-7)), the code's form).
 * Z^s, Z^t = N * mean(exp(score / T)) of the first batch, then fixed. M^s, M^t are the memory banks,
 * updated by `afterStep`: M[y_i] <- normalise(m M[y_i] + (1 - m) e_i), m = 0.5.
 * Reads `inputs.indices`. Trainable: both heads. Buffers: both banks, their step counter and [Z^s, Z^t].
 */
export function createCrdLoss(options: CrdOptions): CrdLoss {
  const state = new ContrastState(FILE, 'crd', options, 4096);
  // [Z^s, Z^t] [2]; 0 until the first call estimates them. A buffer, so that checkpoints carry it.
  const zBuffer = tf.tidy(() => tf.variable(tf.zeros([2]), false, `${state.scope}/normalizers`)) as tf.Variable<tf.Rank.R1>;
  const readZ = (): { student: number; teacher: number } | null => {
    const [student, teacher] = zBuffer.dataSync();
    return student > 0 && teacher > 0 ? { student, teacher } : null;
  };
  const buffers = [...state.memory.variables, zBuffer];
  return {
    name: 'crd',
    studentHead: state.studentHead,
    teacherHead: state.teacherHead,
    memory: state.memory,
    get normalizers() {
      return readZ();
    },
    variables: state.variables,
    buffers,
    setNormalizers(value) {
      if (!(value.student > 0 && value.teacher > 0 && Number.isFinite(value.student) && Number.isFinite(value.teacher))) {
        throw new Error(`@ccl/losses ${FILE}: normalizers must be finite and > 0, got ${JSON.stringify(value)}`);
      }
      tf.tidy(() => zBuffer.assign(tf.tensor1d([value.student, value.teacher])));
    },
    contrastIndices: (indices) => state.memory.contrastIndices(Int32Array.from(indices), state.numNegatives),
    compute(inputs: LossInputs): tf.Scalar {
      return tf.tidy(() => {
        const scores = state.scores(inputs);
        const xs = tf.exp(scores.student); // [B, K+1]
        const xt = tf.exp(scores.teacher); // [B, K+1]
        const n = state.memory.size;
        // Z^s, Z^t: estimated on the first call as mean(exp scores) * N and kept (torch's CRD). Computed and
        // kept on the device (no read back: WebGPU in Node has no synchronous readback); the kept buffer is
        // read as a constant, so no gradient flows into the estimate.
        const estimate = tf.mul(tf.stack([tf.mean(xs), tf.mean(xt)]), n); // [2]
        const unset = tf.broadcastTo(tf.lessEqual(tf.min(zBuffer), 0), [2]); // [2]
        zBuffer.assign(tf.where(unset, estimate, zBuffer) as tf.Tensor1D);
        const [zs, zt] = tf.unstack(zBuffer) as [tf.Scalar, tf.Scalar];
        const k = state.numNegatives;
        return tf.add(nceTerm(tf.div(xs, zs), k, n), nceTerm(tf.div(xt, zt), k, n)) as tf.Scalar;
      });
    },
    afterStep: (inputs) => state.afterStep(inputs),
    dispose: () => {
      state.dispose();
      if (!zBuffer.isDisposed) zBuffer.dispose();
    },
  };
}

addLoss('crd', createCrdLoss, { optionKeys: CONTRAST_OPTION_KEYS });
