import * as tf from '@tensorflow/tfjs-core';

/** Class labels as a tensor or a plain array of integers. */
export type Labels = tf.Tensor1D | ArrayLike<number>;

/** Labels as an int32 tensor [B]; the caller owns the result (dispose it, or call inside tf.tidy). */
export function labelTensor(labels: Labels, batch: number, what: string): tf.Tensor1D {
  const t =
    labels instanceof tf.Tensor ? (labels.dtype === 'int32' ? labels.clone() : tf.cast(labels, 'int32')) : tf.tensor1d(Int32Array.from(labels), 'int32');
  if (t.rank !== 1 || t.shape[0] !== batch) {
    const shape = t.shape;
    t.dispose();
    throw new Error(`${what}: labels must have shape [${batch}], got [${shape}]`);
  }
  return t as tf.Tensor1D;
}

/** Throws a clear error unless `x` is a rank-2 tensor (optionally with a given number of rows). */
export function assertMatrix(x: tf.Tensor, what: string, rows?: number): asserts x is tf.Tensor2D {
  if (x.rank !== 2) throw new Error(`${what}: expected a [B, D] tensor, got shape [${x.shape}]`);
  if (rows !== undefined && x.shape[0] !== rows) throw new Error(`${what}: expected ${rows} rows, got shape [${x.shape}]`);
  if (x.shape[0] === 0) throw new Error(`${what}: empty batch`);
}
