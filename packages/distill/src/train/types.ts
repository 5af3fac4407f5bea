import type * as tf from '@tensorflow/tfjs-core';
import type { Rng, StateDict } from '@ccl/base';

/**
 * What the trainer needs from a student (or an online teacher) encoder; @ccl/encoders' encoders satisfy it.
 * Video layout [B, T, H, W, C]; images [B, H, W, C].
 */
export interface TrainableEncoder {
  apply(x: tf.Tensor, options?: { training?: boolean }): { features: tf.Tensor2D; logits?: tf.Tensor2D };
  readonly trainableVariables: readonly tf.Variable[];
  train(): void;
  eval(): void;
  stateDict(): StateDict;
  loadStateDict(dict: StateDict, options?: { strict?: boolean }): void;
}

/** One training or evaluation sample, as plain arrays. */
export interface TrainingSample {
  id: string;
  label: number;
  /** The clip, [T, H, W, C] flattened row-major. */
  video: Float32Array;
  /** Precomputed teacher features by teacher name; null (or absent) when this sample has none. */
  teachers?: Record<string, Float32Array | null>;
}

/** Where to draw a sample from: a random training view, or clip `clip` of `clips` evenly spaced ones. */
export type SampleView = { kind: 'train'; rng: Rng } | { kind: 'eval'; clip: number; clips: number };

/** A dataset the trainer can index; `get` must be deterministic given its arguments (resume relies on it). */
export interface SampleSource {
  readonly length: number;
  /** Shape of every clip, [T, H, W, C]. */
  readonly clipShape: readonly [number, number, number, number];
  get(index: number, view: SampleView): TrainingSample | Promise<TrainingSample>;
}

/** A batch on the tensor side (the trainer owns and disposes it). */
export interface TrainingBatch {
  video: tf.Tensor5D; // [B, T, H, W, C]
  labels: number[];
  ids: string[];
  /** Dataset indices of the rows (memory banks). */
  indices: number[];
  /** Teacher features by name: [B, D] with zero rows where `mask` is 0. */
  teachers: Record<string, { features: tf.Tensor2D; mask: Uint8Array }>;
}
