import * as tf from '@tensorflow/tfjs-core';

/** max(x, 0). */
export function relu<T extends tf.Tensor>(x: T): T {
  return tf.relu(x);
}
