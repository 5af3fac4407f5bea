import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '@ccl/encoders';
import { keyedRng, permutation } from '@ccl/base';
import { createSchedule, Sgd } from '@ccl/distill';
import { crossEntropy } from '@ccl/losses';

export interface ClassifierTraining {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Called after every epoch with the mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Trains an encoder with a classifier head by cross-entropy (SGD with momentum 0.9, weight decay 5e-4, the
 * `cosine` schedule of @ccl/distill over `epochs`): the teachers' pre-training on their own source tasks.
 *
 * @param inputs [N, ...] encoder inputs
 * @param labels [N]
 */
export async function trainClassifier(encoder: Encoder, inputs: tf.Tensor, labels: number[], o: ClassifierTraining): Promise<void> {
  const opt = new Sgd(encoder.trainableVariables, { lr: o.lr, momentum: 0.9, weightDecay: 5e-4 });
  encoder.train();
  const schedule = createSchedule({ kind: 'cosine', epochs: o.epochs });
  const n = labels.length;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    opt.lr = schedule.lrAt(epoch, o.lr);
    const order = permutation(n, keyedRng(o.seed, 11, epoch));
    let total = 0;
    let batches = 0;
    for (let at = 0; at + 1 < n; at += o.batchSize) {
      const idx = order.slice(at, at + o.batchSize);
      if (idx.length < 2) break;
      const { value, grads } = tf.variableGrads(() => {
        const x = tf.gather(inputs, idx);
        return crossEntropy(
          encoder.apply(x, { training: true }).logits!,
          idx.map((i) => labels[i]),
        );
      }, encoder.trainableVariables);
      opt.step(grads);
      total += (await value.data())[0]!; // asynchronously: WebGPU in Node has no synchronous readback
      batches += 1;
      tf.dispose([value, ...Object.values(grads)]);
    }
    o.onEpoch?.(epoch, total / Math.max(batches, 1));
  }
  opt.dispose();
  encoder.eval();
}

/** Top-1 accuracy of an encoder's classifier on [N, ...] inputs (eval mode, in batches). */
export async function classifierAccuracy(encoder: Encoder, inputs: tf.Tensor, labels: number[], batchSize = 32): Promise<number> {
  encoder.eval();
  let correct = 0;
  for (let at = 0; at < labels.length; at += batchSize) {
    const predicted = tf.tidy(() => {
      const x = tf.slice(inputs, at, Math.min(batchSize, labels.length - at));
      return tf.argMax(encoder.apply(x, { training: false }).logits!, 1); // [B]
    });
    const pred = await predicted.data();
    predicted.dispose();
    pred.forEach((p, i) => (correct += p === labels[at + i] ? 1 : 0));
  }
  return labels.length ? correct / labels.length : 0;
}
