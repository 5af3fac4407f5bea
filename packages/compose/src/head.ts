import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@ccl/base';

/** Options every composition function accepts. */
export interface CompositionOptions {
  /** Size of the teacher feature x_t (512 for Cnn14-emb512 and ResNet-34). */
  teacherDim: number;
  /** Size of the student feature x_v (512 for R(2+1)D-18). */
  studentDim: number;
  /** Number of target classes of the composed classifier. */
  numClasses: number;
  /** L2-normalise x_t and x_v before the MLP (the reference does). Default true. */
  normalize?: boolean;
  /** Seed of the parameter initialisation. Default 1. */
  seed?: number;
}

export interface CompositionOutput {
  /** Composed embedding x_tv [B, teacherDim]. */
  feature: tf.Tensor2D;
  /** Its classifier's logits o_tv [B, numClasses]. */
  logits: tf.Tensor2D;
}

export interface CompositionApplyOptions {
  /**
   * Use the head's parameters as constants: gradients flow to the inputs but not to the head's own
   * variables (the paper-form objective, where the composition learns from its own loss only).
   */
  detachParams?: boolean;
}

/** A composition module: (teacher feature, student feature) -> composed feature and logits. */
export interface Composition {
  readonly kind: string;
  readonly options: Required<CompositionOptions>;
  /** fTeacher [B, Dt], fStudent [B, Ds] -> { feature [B, Dt], logits [B, K] } */
  apply(fTeacher: tf.Tensor2D, fStudent: tf.Tensor2D, options?: CompositionApplyOptions): CompositionOutput;
  /** Trainable variables, for an optimiser. */
  readonly trainableVariables: tf.Variable[];
  /** Torch names and layouts (`mlp.weight` [out, in], ...). */
  stateDict(): StateDict;
  loadStateDict(dict: StateDict, options?: { strict?: boolean }): void;
  dispose(): void;
}

/** Identity in the forward pass, zero gradient in the backward pass (torch's `.detach()`). */
export const detach: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

export function resolveOptions(options: CompositionOptions): Required<CompositionOptions> {
  for (const key of ['teacherDim', 'studentDim', 'numClasses'] as const) {
    const v = options[key];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`composition head: ${key} must be a positive integer, got ${v}`);
  }
  return { normalize: true, seed: 1, ...options };
}
