import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/base/node';
import { parseSafetensors, parseSafetensorsHeader, serializeSafetensors } from './safetensors';

// The training checkpoint format, shared by @ccl/distill (writes and resumes) and @ccl/eval (reads a run's
// student): it lives here, below both, beside the safetensors reader it builds on.
// A checkpoint is a .safetensors file (it opens with the `safetensors` Python package too): tensors by sorted
// name, float32 as F32 and int32 as I32, and this module's CheckpointMeta as JSON in the `ccl` metadata
// entry. Written atomically (@ccl/base's writeFileAtomicSync: temporary file, fsync, rename).

/** Everything a checkpoint holds besides tensors. */
export interface CheckpointMeta {
  format: 'ccl-checkpoint/1';
  /** Identifies the model family and shapes: a checkpoint of another model is refused. */
  architecture: string;
  epoch: number;
  /** Steps already done in `epoch` (0 when the checkpoint closes an epoch). */
  stepInEpoch: number;
  globalStep: number;
  bestMetric: number | null;
  config: unknown;
  extra?: Record<string, unknown>;
}

export function saveCheckpoint(file: string, tensors: Record<string, tf.Tensor>, meta: CheckpointMeta): void {
  const sorted = Object.fromEntries(
    Object.keys(tensors)
      .sort()
      .map((name) => [name, tensors[name]!]),
  );
  writeFileAtomicSync(file, serializeSafetensors(sorted, { floatDtype: 'F32', intDtype: 'I32', metadata: { ccl: JSON.stringify(meta) } }));
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Tensors owned by the caller (dispose them). */
  tensors: Record<string, tf.Tensor>;
}

/** What {@link loadCheckpoint} checks and reads. */
export interface LoadCheckpointOptions {
  /** Refuse a checkpoint written for another model. */
  architecture?: string;
  /** Decode only the tensors whose names pass (e.g. the student's); default all. */
  only?: (name: string) => boolean;
}

/** Reads a checkpoint; with `architecture`, refuses one written for another model. */
export function loadCheckpoint(file: string, expect: LoadCheckpointOptions = {}): LoadedCheckpoint {
  if (!fs.existsSync(file)) throw new Error(`${file}: checkpoint not found`);
  const bytes = fs.readFileSync(file);
  // the header first (validated: sizes, offsets, a truncated file), so nothing is decoded for a wrong file
  const { metadata } = parseSafetensorsHeader(bytes, file);
  if (typeof metadata.ccl !== 'string') throw new Error(`${file}: not a ccl checkpoint (no ccl metadata)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(metadata.ccl) as CheckpointMeta;
  } catch (e) {
    throw new Error(`${file}: corrupt checkpoint metadata (${(e as Error).message})`);
  }
  if (meta.format !== 'ccl-checkpoint/1') throw new Error(`${file}: unsupported checkpoint format '${meta.format}'`);
  if (expect.architecture !== undefined && meta.architecture !== expect.architecture) {
    throw new Error(`${file}: checkpoint is for another model:\n  checkpoint: ${meta.architecture}\n  this run:   ${expect.architecture}`);
  }
  return { meta, tensors: parseSafetensors(bytes, file, expect.only ? { only: expect.only } : {}) };
}

/** Splits `prefix.rest` names into one dictionary per prefix. */
export function groupByPrefix(tensors: Record<string, tf.Tensor>, prefix: string): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(`${prefix}.`)) out[name.slice(prefix.length + 1)] = t;
  return out;
}

/** Adds `prefix.` to every name. */
export function withPrefix(prefix: string, tensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(tensors).map(([k, v]) => [`${prefix}.${k}`, v]));
}
