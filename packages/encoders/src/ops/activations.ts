import * as tf from '@tensorflow/tfjs-core';

/**
 * max(a + b, 0) (a residual block's output) with a gradient that keeps only the output, not the sum:
 * d/da = d/db = dz * [z > 0].
 *
 * @param a, b same shape
 * @returns same shape
 */
export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`addRelu: shapes differ, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}] (no broadcasting)`);
  }
  const op = tf.customGrad(((aIn: T, bIn: T, save: tf.GradSaveFunc) => {
    const z = tf.tidy(() => tf.relu(tf.add(aIn, bIn))) as T;
    save([z]);
    return {
      value: z,
      gradFunc: (dz: T, saved: tf.Tensor[]) => {
        const g = tf.tidy(() => tf.mul(dz, tf.step(saved[0]!)));
        return [g, tf.clone(g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: T, b: T) => T;
  return op(a, b);
}
