import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, loadBatch } from './batch';
import type { SampleSource, TrainableEncoder } from './types';

/**
 * Clip accuracy of `student` on `source`: `clips` evenly spaced clips per video, in batches of `batchSize`,
 * the student in eval mode (and back in train mode after).
 */
export async function clipAccuracy(student: TrainableEncoder, source: SampleSource, o: { clips: number; batchSize: number }): Promise<number> {
  student.eval();
  const { clips, batchSize } = o;
  let correct = 0;
  let total = 0;
  const items: Array<[number, number]> = [];
  for (let i = 0; i < source.length; i++) for (let c = 0; c < clips; c++) items.push([i, c]);
  for (let at = 0; at < items.length; at += batchSize) {
    const chunk = items.slice(at, at + batchSize);
    const batch = await loadBatch(
      source,
      chunk.map(([i]) => i),
      (_i, p) => ({ kind: 'eval', clip: chunk[p][1], clips }),
      {},
    );
    const predicted = tf.tidy(() => tf.argMax(student.apply(batch.video, { training: false }).logits!, 1)); // [B]
    const pred = await predicted.data(); // read after the tidy, asynchronously (a GPU backend in Node has no sync readback)
    predicted.dispose();
    pred.forEach((p, b) => (correct += p === batch.labels[b] ? 1 : 0));
    total += chunk.length;
    disposeBatch(batch);
  }
  student.train();
  return total ? correct / total : 0;
}
