import type * as tf from '@tensorflow/tfjs-core';
import type { Labels } from './labels';

// The loss contract: what every loss (built-in or user-registered) implements. The losses and the registry
// both import this module, and nothing here imports a loss or the registry.

/**
 * What a loss sees in one training step. Which fields a loss reads is part of its documentation; a loss
 * throws a clear Error when a field it needs is missing.
 */
export interface LossInputs {
  /** Student features [B, Ds] (AT and SP also accept feature maps [B, H, W, C]). */
  student: tf.Tensor;
  /** Teacher features [B, Dt] (fixed: losses never need its gradient). */
  teacher: tf.Tensor;
  /** Class labels [B] (NCE, IFD, CRD's class-aware negatives). */
  labels?: Labels;
  /** Dataset indices [B] of the batch's items: the rows of a memory bank (CRD, CMC). */
  indices?: Labels;
  /** Student logits [B, K] (KD, CE, JSD). */
  studentLogits?: tf.Tensor2D;
  /** Teacher logits [B, K] (KD, JSD). */
  teacherLogits?: tf.Tensor2D;
}

/**
 * A loss instance: a small object with explicit state.
 *
 * - `variables`: trainable parameters (projection heads, regressors); hand them to the optimiser together
 *   with the student's, e.g. `optimizer.minimize(() => loss.compute(inputs), false, [...studentVars, ...loss.variables])`.
 * - `buffers`: non-trainable state: everything besides `variables` that shapes the next step (memory
 *   banks, their step counter, CRD's normalisers); never given to the optimiser, saved with checkpoints (a
 *   run restored from them continues exactly), changed only by `compute`'s first call and `afterStep`.
 * - `compute(inputs)`: the scalar loss; pure with respect to the loss's state (calling it twice between two
 *   `afterStep`s gives the same value), differentiable w.r.t. `inputs.student` and `variables`.
 * - `afterStep(inputs)`: optional; called once per training step after the optimiser update, outside any
 *   gradient (memory-bank momentum update, resampling of negatives).
 * - `dispose()`: frees every variable and buffer; the instance is unusable afterwards.
 */
export interface Loss {
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  readonly buffers?: readonly tf.Variable[];
  compute(inputs: LossInputs): tf.Scalar;
  afterStep?(inputs: LossInputs): void;
  dispose(): void;
}

/** Builds a loss instance from its options. */
export type LossFactory<O = Record<string, unknown>> = (options: O) => Loss;

/** A stateless loss (no variables, no buffers) from a function of the inputs. */
export function statelessLoss(name: string, compute: (inputs: LossInputs) => tf.Scalar): Loss {
  return { name, variables: [], buffers: [], compute, dispose: () => undefined };
}

/** `value`, or an Error saying that loss `loss` needs `inputs.<field>`. */
export function requiredInput<T>(loss: string, field: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`@ccl/losses: loss '${loss}' needs inputs.${field}`);
  return value;
}
