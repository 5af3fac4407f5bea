import * as fs from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/base/node';
import { parseSafetensors, serializeSafetensors, type WriteSafetensorsOptions } from './safetensors';

/** Reads a .safetensors file into tensors (caller disposes). Node only; the bytes version is parseSafetensors. */
export function readSafetensors(file: string): Record<string, tf.Tensor> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`safetensors ${file}: cannot read (${(e as Error).message})`);
  }
  return parseSafetensors(bytes, file);
}

/**
 * Writes tensors to a .safetensors file atomically: a temporary file in the same folder, flushed to disk
 * (fsync), then renamed over the target (@ccl/base's writeFileAtomicSync), so a crash leaves the old file or
 * the new one, never a torn one. Node only; the bytes version is serializeSafetensors.
 */
export function writeSafetensors(file: string, dict: Record<string, tf.Tensor>, options: WriteSafetensorsOptions = {}): void {
  writeFileAtomicSync(file, serializeSafetensors(dict, options), { what: 'safetensors' });
}
