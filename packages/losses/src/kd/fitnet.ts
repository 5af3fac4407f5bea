import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { Loss, LossInputs } from '../loss';
import { addLoss } from '../loss-registry';
import { disposeAll, fail, featurePair, instanceScope, type KdCommonOptions } from './common';
import { LinearMap } from './linear';
import { mulberry32 } from '@ccl/base';

const FILE = 'kd/fitnet.ts';

export interface FitNetOptions extends KdCommonOptions {
  /** Student feature size Ds. */
  studentDim: number;
  /** Teacher feature size Dt. */
  teacherDim: number;
  /** Seed of the regressor's initialisation (default 0). */
  seed?: number;
}

export interface FitNetLoss extends Loss {
  /** The learned regressor r: [B, Ds] -> [B, Dt]. */
  readonly regressor: LinearMap;
}

/**
 * FitNet hint loss (Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015), for embeddings: a learned
 * linear regressor r(s) = s W + b maps the student feature to the teacher's space, then
 *
 *     L = mean_{i,d} (r(s_i)_d - t_i,d)^2                    (MSE, as the CRD benchmark's HintLoss)
 *
 * Trainable state: W [Ds, Dt], b [Dt] (torch nn.Linear initialisation, seeded).
 */
export function createFitNetLoss(options: FitNetOptions): FitNetLoss {
  if (!options || typeof options !== 'object') fail(FILE, 'options { studentDim, teacherDim } are required');
  const regressor = new LinearMap(options.studentDim, options.teacherDim, mulberry32(options.seed ?? 0), FILE, `${instanceScope('fitnet')}/regressor`);
  return {
    name: 'fitnet',
    regressor,
    variables: regressor.variables,
    buffers: [],
    compute(inputs: LossInputs): tf.Scalar {
      const { student, teacher } = featurePair(FILE, inputs, options);
      if (student.shape[1] !== regressor.inDim) fail(FILE, `student has ${student.shape[1]} features, the regressor expects ${regressor.inDim}`);
      if (teacher.shape[1] !== regressor.outDim) fail(FILE, `teacher has ${teacher.shape[1]} features, the regressor expects ${regressor.outDim}`);
      return tf.tidy(() => tf.mean(tf.square(tf.sub(regressor.apply(student), teacher))) as tf.Scalar);
    },
    dispose: () => disposeAll(regressor.variables),
  };
}

addLoss('fitnet', createFitNetLoss, { optionKeys: keysOf<FitNetOptions>({ studentDim: true, teacherDim: true, seed: true, checkFinite: true }) });
