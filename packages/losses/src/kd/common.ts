import * as tf from '@tensorflow/tfjs-core';
import type { LossInputs } from '../loss';
import { syncReadback } from '@ccl/base';

/** Options every KD loss accepts. */
export interface KdCommonOptions {
  /**
   * Check that the inputs are finite before computing (one data read of the inputs per call; default true).
   * A NaN or infinite feature then throws a clear Error instead of producing a NaN loss. On a backend with no
   * synchronous readback (WebGPU in Node: `syncReadback()` of @ccl/base) the check is not made; the loss is
   * then NaN, which the Trainer's `nanGuard` reports.
   */
  checkFinite?: boolean;
}

/** Throws `file: message`. */
export function fail(file: string, message: string): never {
  throw new Error(`@ccl/losses ${file}: ${message}`);
}

/** The student and teacher features as [B, D] matrices with the same batch size (and finite, if asked). */
export function featurePair(file: string, inputs: LossInputs, options: KdCommonOptions): { student: tf.Tensor2D; teacher: tf.Tensor2D; batch: number } {
  const { student, teacher } = inputs;
  if (!student || !teacher) fail(file, 'inputs.student and inputs.teacher are required');
  expectMatrix(file, 'student', student);
  expectMatrix(file, 'teacher', teacher, student.shape[0]);
  if (options.checkFinite !== false) {
    expectFinite(file, 'student', student);
    expectFinite(file, 'teacher', teacher);
  }
  return { student, teacher, batch: student.shape[0] };
}

/** Throws unless `x` is a non-empty [B, D] tensor (with `rows` rows when given). */
export function expectMatrix(file: string, what: string, x: tf.Tensor, rows?: number, cols?: number): asserts x is tf.Tensor2D {
  if (!(x instanceof tf.Tensor)) fail(file, `${what} must be a tf.Tensor`);
  if (x.rank !== 2) fail(file, `${what} must be a [B, D] tensor, got shape [${x.shape}]`);
  if (x.shape[0] === 0 || x.shape[1] === 0) fail(file, `${what} is empty (shape [${x.shape}])`);
  if (rows !== undefined && x.shape[0] !== rows) fail(file, `${what} has ${x.shape[0]} rows, expected ${rows} (the student's batch)`);
  if (cols !== undefined && x.shape[1] !== cols) fail(file, `${what} has ${x.shape[1]} columns, expected ${cols}`);
}

/**
 * Throws when `x` holds a NaN or an infinity, naming the first offending element. A no-op where the backend
 * cannot read synchronously (WebGPU in Node), where a non-finite input surfaces as a non-finite loss instead.
 */
export function expectFinite(file: string, what: string, x: tf.Tensor): void {
  if (!syncReadback()) return;
  const data = x.dataSync();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      fail(file, `${what} contains ${data[i]} at flat index ${i} (shape [${x.shape}]); features must be finite`);
    }
  }
}

/** Throws unless `value` is a positive integer. */
export function expectPositiveInt(file: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(file, `${what} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Throws unless `value` is a finite number > 0. */
export function expectPositive(file: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(file, `${what} must be a finite number > 0, got ${String(value)}`);
  return value;
}

/** Integer array from a tensor or array-like (dataset indices, labels), checked for length and range. */
export function intArray(file: string, what: string, values: tf.Tensor | ArrayLike<number> | undefined, length: number, bound?: number): Int32Array {
  if (values === undefined) fail(file, `inputs.${what} is required`);
  const data = values instanceof tf.Tensor ? values.dataSync() : values;
  if (values instanceof tf.Tensor && values.rank !== 1) fail(file, `${what} must be rank 1, got shape [${values.shape}]`);
  if (data.length !== length) fail(file, `${what} has length ${data.length}, expected ${length} (the batch size)`);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v) || v < 0 || (bound !== undefined && v >= bound)) {
      fail(file, `${what}[${i}] = ${v} is not an integer in [0, ${bound ?? 'inf'})`);
    }
    out[i] = v;
  }
  return out;
}

/** Row-wise L2 normalisation as torch's `F.normalize(x, dim=1)`: x / max(||x||, eps), with a gradient that stays finite at 0. */
export function normalizeRowsFiniteGrad(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), eps * eps))));
}

/** Flattens every dimension after the batch: [B, ...] -> [B, prod(...)]. */
export function flattenBatch(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/** Huber / smooth-L1 with threshold 1, elementwise (torch's `F.smooth_l1_loss` before the mean):
 *  0.5 x^2 if |x| < 1 else |x| - 0.5, written as 0.5 min(|x|,1)^2 + (|x| - min(|x|,1)). */
export function smoothL1(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(x);
    const q = tf.minimum(a, 1);
    return tf.add(tf.mul(0.5, tf.square(q)), tf.sub(a, q));
  });
}

let instanceCount = 0;

/**
 * A process-unique name scope for one loss instance, e.g. `ccl_losses/crd_3`: its variables are named
 * `<scope>/student_head/weight`, ... (tfjs variable names must be unique; checkpoints read them).
 */
export function instanceScope(loss: string): string {
  instanceCount += 1;
  return `ccl_losses/${loss}_${instanceCount}`;
}

/** Disposes variables (idempotent). */
export function disposeAll(vars: readonly tf.Variable[]): void {
  for (const v of vars) if (!v.isDisposed) v.dispose();
}
