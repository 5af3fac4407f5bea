import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/data';
import { decodeContainer, encodeContainer, type StoredTensor } from './container';

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
  const stored: Record<string, StoredTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
    const data = t.dtype === 'int32' ? (t.dataSync() as Int32Array) : (t.dtype === 'float32' ? (t.dataSync() as Float32Array) : Float32Array.from(t.dataSync() as ArrayLike<number>));
    stored[name] = { dtype, shape: t.shape, data };
  }
  writeFileAtomicSync(file, encodeContainer(stored, { ccl: JSON.stringify(meta) }));
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Tensors owned by the caller (dispose them). */
  tensors: Record<string, tf.Tensor>;
}

/** Reads a checkpoint; with `architecture`, refuses one written for another model. */
export function loadCheckpoint(file: string, expect?: { architecture: string }): LoadedCheckpoint {
  if (!fs.existsSync(file)) throw new Error(`${file}: checkpoint not found`);
  const { tensors, metadata } = decodeContainer(fs.readFileSync(file), file);
  if (!metadata.ccl) throw new Error(`${file}: not a ccl checkpoint (no ccl metadata)`);
  const meta = JSON.parse(metadata.ccl) as CheckpointMeta;
  if (meta.format !== 'ccl-checkpoint/1') throw new Error(`${file}: unsupported checkpoint format '${meta.format}'`);
  if (expect && meta.architecture !== expect.architecture) {
    throw new Error(`${file}: checkpoint is for another model:\n  checkpoint: ${meta.architecture}\n  this run:   ${expect.architecture}`);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = tf.tensor(t.data, t.shape, t.dtype);
  return { meta, tensors: out };
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
