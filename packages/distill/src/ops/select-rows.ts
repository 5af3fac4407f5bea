import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows `rows` of `x` (distinct indices, in the order given): `tf.gather(x, rows)` with a gradient that every
 * backend can run. tf.gather's own gradient scatters with UnsortedSegmentSum, which tfjs-backend-wasm does
 * not register; since the rows are distinct, the gradient here is a gather too: row b of dx is row
 * position(b) of dy, or zero for a row that was not selected. Bit-identical to tf.gather's gradient.
 *
 * @param x [B, D]
 * @returns [R, D] with R = rows.length
 */
export function selectRows(x: tf.Tensor2D, rows: readonly number[]): tf.Tensor2D {
  const [batch, dim] = x.shape;
  const unselected = rows.length;
  const position = new Int32Array(batch).fill(unselected); // [B]: where row b went, or R (a zero row of dy)
  rows.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= batch) throw new Error(`selectRows: row ${r} is outside a batch of ${batch}`);
    if (position[r] !== unselected) throw new Error(`selectRows: row ${r} is selected twice`);
    position[r] = i;
  });
  const select = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.gather(args[0] as tf.Tensor, tf.tensor1d(Array.from(rows), 'int32')), // [R, D]
    gradFunc: (dy: tf.Tensor) => tf.gather(tf.concat([dy, tf.zeros([1, dim])], 0), tf.tensor1d(position, 'int32')), // [B, D]
  }));
  return tf.tidy(() => select(x) as tf.Tensor2D);
}
