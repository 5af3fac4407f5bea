import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@ccl/base';
import type { ExperimentConfig } from '../config/experiment';

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

export interface MethodContext {
  config: ExperimentConfig;
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
