import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { disposeAll, expectPositive, expectPositiveInt, fail, featurePair, instanceScope, type KdCommonOptions } from './common';
import { LinearMap } from './linear';
import { mulberry32 } from '@ccl/base';

const FILE = 'kd/vid.ts';

/** Mean regressor: `mlp` = Linear-ReLU-Linear-ReLU-Linear (the CRD benchmark's 1x1-conv stack on vectors), `linear` = one Linear. */
export type VidRegressor = 'mlp' | 'linear';

export interface VidOptions extends KdCommonOptions {
  studentDim: number;
  teacherDim: number;
  /** Hidden width of the `mlp` regressor (default teacherDim). */
  hiddenDim?: number;
  regressor?: VidRegressor;
  /** Initial variance sigma^2 of every dimension (default 5). */
  initVariance?: number;
  /** Variance floor eps (default 1e-5). */
  eps?: number;
  /** Seed of the regressor's initialisation (default 0). */
  seed?: number;
}

export interface VidLoss extends Loss {
  /** The regressor's layers, input first. */
  readonly layers: readonly LinearMap[];
  /** alpha [Dt]; the variances are softplus(alpha) + eps. */
  readonly logScale: tf.Variable<tf.Rank.R1>;
}

/**
 * Variational information distillation (Ahn et al., "Variational Information Distillation for Knowledge
 * Transfer", CVPR 2019): maximise a variational lower bound of I(t; s) with a Gaussian q(t | s) whose mean
 * mu(s) is a learned regressor and whose variance is learned per teacher dimension.
 *
 *     sigma_d^2 = log(1 + exp(alpha_d)) + eps
 *     L = mean_{i,d} 0.5 * ( (t_id - mu(s_i)_d)^2 / sigma_d^2 + log sigma_d^2 )
 *
 * alpha starts at log(exp(initVariance - eps) - 1) so that sigma^2 = initVariance. Trainable state: the
 * regressor and alpha.
 */
export function createVidLoss(options: VidOptions): VidLoss {
  if (!options || typeof options !== 'object') fail(FILE, 'options { studentDim, teacherDim } are required');
  const studentDim = expectPositiveInt(FILE, 'studentDim', options.studentDim);
  const teacherDim = expectPositiveInt(FILE, 'teacherDim', options.teacherDim);
  const hidden = expectPositiveInt(FILE, 'hiddenDim', options.hiddenDim ?? teacherDim);
  const kind = options.regressor ?? 'mlp';
  if (kind !== 'mlp' && kind !== 'linear') fail(FILE, `regressor must be 'mlp' or 'linear', got '${String(kind)}'`);
  const initVariance = expectPositive(FILE, 'initVariance', options.initVariance ?? 5);
  const eps = expectPositive(FILE, 'eps', options.eps ?? 1e-5);
  if (initVariance <= eps) fail(FILE, `initVariance (${initVariance}) must exceed eps (${eps})`);
  const rng = mulberry32(options.seed ?? 0);
  const scope = instanceScope('vid');
  const layers =
    kind === 'mlp'
      ? [
          new LinearMap(studentDim, hidden, rng, FILE, `${scope}/regressor_0`),
          new LinearMap(hidden, hidden, rng, FILE, `${scope}/regressor_1`),
          new LinearMap(hidden, teacherDim, rng, FILE, `${scope}/regressor_2`),
        ]
      : [new LinearMap(studentDim, teacherDim, rng, FILE, `${scope}/regressor_0`)];
  const logScale = tf.tidy(() =>
    tf.variable(tf.fill([teacherDim], Math.log(Math.expm1(initVariance - eps))), true, `${scope}/log_scale`),
  ) as tf.Variable<tf.Rank.R1>;
  const variables = [...layers.flatMap((l) => l.variables), logScale];
  const mean = (s: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => layers.reduce((h, layer, k) => (k < layers.length - 1 ? tf.relu(layer.apply(h)) : layer.apply(h)), s));
  return {
    name: 'vid',
    layers,
    logScale,
    variables,
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = featurePair(FILE, inputs, options);
      if (student.shape[1] !== studentDim) fail(FILE, `student has ${student.shape[1]} features, expected ${studentDim}`);
      if (teacher.shape[1] !== teacherDim) fail(FILE, `teacher has ${teacher.shape[1]} features, expected ${teacherDim}`);
      return tf.tidy(() => {
        const variance = tf.add(tf.softplus(logScale), eps); // [Dt]
        const nll = tf.mul(0.5, tf.add(tf.div(tf.square(tf.sub(mean(student), teacher)), variance), tf.log(variance))); // [B, Dt]
        return tf.mean(nll) as tf.Scalar;
      });
    },
    dispose: () => disposeAll(variables),
  };
}

addLoss('vid', createVidLoss, {
  optionKeys: keysOf<VidOptions>({
    studentDim: true,
    teacherDim: true,
    hiddenDim: true,
    regressor: true,
    initVariance: true,
    eps: true,
    seed: true,
    checkFinite: true,
  }),
});
