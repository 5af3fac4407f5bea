import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@ccl/base';
import type { CclTermSwitches } from '../objectives/ccl';

/** The tensors of one step that a method's loss sees (inside the gradient tape). */
export interface StepTensors {
  /** Student features x_v [B, Ds] and logits o_v [B, K]. */
  features: tf.Tensor2D;
  logits: tf.Tensor2D;
  labels: number[];
  /** Dataset indices of the rows. */
  indices: number[];
  /** Teacher features by name [B, Dt] (constants) and which rows have them. */
  teachers: Record<string, { features: tf.Tensor2D; mask: Uint8Array }>;
}

/** A teacher as a method sees it (a `TeacherConfig` is one). */
export interface MethodTeacher {
  readonly name: string;
  /** Size of its feature vector. */
  readonly dim: number;
  /** CCL: the composition function, NCE temperature, and whether rows without teacher data leave its terms. */
  readonly composition: string;
  readonly temperature: number;
  readonly dropMissing: boolean;
}

/**
 * The settings a method reads: the loss part of the experiment config (an `ExperimentConfig` is one). Kept
 * narrow so that the methods do not depend on the config module, which checks method names against them.
 */
export interface MethodSettings {
  /** The method's name as the config gives it (methods need not read it). */
  readonly method?: string;
  readonly seed: number;
  readonly teachers: readonly MethodTeacher[];
  /** Weight of the distillation terms; default 0.5 with several teachers, else 1. */
  readonly lossWeight?: number;
  /** CCL: the JSD weight w. */
  readonly jsdWeight: number;
  /** CCL paper form: lambda. */
  readonly lambda: number;
  /** CCL ablations. */
  readonly cclTerms?: CclTermSwitches;
  /** KD baselines: options of the loss's factory, and the loss's weight. */
  readonly kdOptions: Readonly<Record<string, unknown>>;
  readonly kdWeight: number;
}

export interface MethodContext {
  config: MethodSettings;
  numClasses: number;
  studentDim: number;
  /** Size of the training set (memory banks). */
  datasetSize: number;
}

/** A training method: its own trainable modules and the loss it adds to the student's. */
export interface Method {
  readonly name: string;
  /** Trainable modules besides the student (composition heads, projections), each with its own optimiser. */
  readonly modules: Record<string, readonly tf.Variable[]>;
  /** The scalar to differentiate and its named terms (scalars, kept for logging by the caller). */
  loss(step: StepTensors): { total: tf.Scalar; terms: Record<string, tf.Scalar> };
  /** After the optimiser update, outside the gradient (memory banks). */
  afterStep?(step: StepTensors): void;
  /** Trainable and non-trainable state for checkpoints (names without prefix). */
  stateDict(): StateDict;
  loadStateDict(dict: StateDict): void;
  dispose(): void;
}

export type MethodFactory = (ctx: MethodContext) => Method;
