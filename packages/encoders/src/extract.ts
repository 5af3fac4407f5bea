import type * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from './encoder';

/** One batch for extractFeatures. */
export interface FeatureBatch {
  /** one id per item (e.g. a video name). */
  ids: string[];
  /** encoder input whose batch dimension is ids.length * segmentsPerItem, items in order. */
  input: tf.Tensor;
  /**
   * segments per item (default 1): feature rows [i S, (i + 1) S) belong to ids[i] and are delivered as one
   * (S, D) array — the reference's per-segment teacher-feature layout. With S = 1 the shape is [D].
   */
  segmentsPerItem?: number;
}

/** Receives each item's features (row-major float32) and their shape: [D] or [S, D]. */
export type FeatureSink = (id: string, features: Float32Array, shape: number[]) => void | Promise<void>;

export interface ExtractProgress {
  /** items delivered to the sink so far. */
  items: number;
  batches: number;
  /** options.total, when given. */
  total?: number;
}

export interface ExtractFeaturesOptions {
  sink: FeatureSink;
  onProgress?: (progress: ExtractProgress) => void;
  /** expected number of items, passed through to onProgress. */
  total?: number;
  /** dispose each batch's input after use (default true: batches are typically produced on the fly). */
  disposeInputs?: boolean;
}

/**
 * Streams batches through `encoder.features(x, { training: false })` (BatchNorm running statistics, no
 * update) and hands every item's features to `sink`, awaiting it, one batch in memory at a time.
 * The encoder's train/eval mode is not changed. Writing files (.npy) is the sink's job (@ccl/data).
 *
 * @returns counts of items and batches processed
 */
export async function extractFeatures(
  encoder: Encoder,
  batches: Iterable<FeatureBatch> | AsyncIterable<FeatureBatch>,
  options: ExtractFeaturesOptions,
): Promise<{ items: number; batches: number }> {
  const disposeInputs = options.disposeInputs ?? true;
  let items = 0;
  let count = 0;
  for await (const batch of batches) {
    let rows: Float32Array;
    let dim: number;
    const segments = batch.segmentsPerItem ?? 1;
    try {
      if (!Number.isInteger(segments) || segments < 1)
        throw new Error(`extractFeatures(${encoder.name}): batch ${count}: segmentsPerItem must be a positive integer, got ${segments}`);
      const n = batch.input.shape[0];
      if (n !== batch.ids.length * segments) {
        throw new Error(
          `extractFeatures(${encoder.name}): batch ${count} has ${batch.ids.length} ids x ${segments} segments but its input has ${n} rows (shape [${batch.input.shape.join(', ')}])`,
        );
      }
      const features = encoder.features(batch.input, { training: false }); // [n, D]
      try {
        dim = features.shape[1];
        rows = (await features.data()) as Float32Array;
      } finally {
        features.dispose();
      }
    } finally {
      if (disposeInputs) batch.input.dispose();
    }
    for (let i = 0; i < batch.ids.length; i++) {
      const slice = rows.slice(i * segments * dim, (i + 1) * segments * dim);
      await options.sink(batch.ids[i]!, slice, segments === 1 ? [dim] : [segments, dim]);
      items++;
    }
    count++;
    options.onProgress?.({ items, batches: count, ...(options.total === undefined ? {} : { total: options.total }) });
  }
  return { items, batches: count };
}
