import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
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
 * (fsync), then renamed over the target, so a crash leaves the old file or the new one, never a torn one.
 * (@ccl/data's writeFileAtomicSync does the same; encoders sits in the same layer and cannot use it.)
 * Node only; the bytes version is serializeSafetensors.
 */
export function writeSafetensors(file: string, dict: Record<string, tf.Tensor>, options: WriteSafetensorsOptions = {}): void {
  const bytes = serializeSafetensors(dict, options);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`safetensors ${file}: cannot write (${(e as Error).message})`);
  }
}
