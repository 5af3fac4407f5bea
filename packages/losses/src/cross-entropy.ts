import * as tf from '@tensorflow/tfjs-core';
import { assertMatrix, labelTensor, type Labels } from './labels';
import { requiredInput, statelessLoss } from './loss';
import { addLoss } from './loss-registry';

/**
 * Softmax cross-entropy with integer labels, mean over the batch (torch's `F.cross_entropy`):
 *
 *     CE = -mean_i log softmax(z_i)[y_i]
 *
 * @param logits [B, C]
 * @param labels [B], integers in [0, C)
 * @returns scalar
 */
export function crossEntropy(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  assertMatrix(logits, 'crossEntropy logits');
  const [batch, classes] = logits.shape;
  return tf.tidy(() => {
    const y = labelTensor(labels, batch, 'crossEntropy');
    const values = y.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] >= 0 && values[i] < classes)) throw new Error(`crossEntropy: label ${values[i]} at row ${i} is outside [0, ${classes})`);
    }
    const logp = tf.logSoftmax(logits); // [B, C]
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(y, classes)), 1))) as tf.Scalar;
  });
}

addLoss('ce', () => statelessLoss('ce', (x) => crossEntropy(requiredInput('ce', 'studentLogits', x.studentLogits), requiredInput('ce', 'labels', x.labels))), {
  optionKeys: [],
});
