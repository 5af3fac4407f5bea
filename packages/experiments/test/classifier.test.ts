import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@ccl/encoders';
import { classifierAccuracy, trainClassifier } from '../src';

describe("trainClassifier (the teachers' pre-training)", () => {
  it('learns a separable two-class task with the cosine schedule, and leaves no tensor behind', async () => {
    const encoder = createEncoder('resnet18', { widthMultiplier: 1 / 16, numClasses: 2, seed: 1 });
    // class 0: a bright left half, class 1: a bright right half; [N, 32, 32, 3]
    const n = 16;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const inputs = tf.tidy(() => {
      const col = tf.reshape(tf.range(0, 32), [1, 1, 32, 1]);
      const left = tf.cast(tf.less(col, 16), 'float32'); // [1, 1, 32, 1]
      return tf.concat(labels.map((y, i) => tf.add(y ? tf.sub(1, left) : left, tf.fill([1, 32, 32, 3], (i % 5) * 0.01))));
    });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    await trainClassifier(encoder, inputs, labels, { epochs: 6, batchSize: 4, lr: 0.05, seed: 2, onEpoch: (_e, loss) => losses.push(loss) });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(6);
    expect(losses[5]!).toBeLessThan(losses[0]!);
    expect(await classifierAccuracy(encoder, inputs, labels)).toBe(1);
    inputs.dispose();
    encoder.dispose();
  });
});
