import * as tf from '@tensorflow/tfjs-core';
import type { TrainingBatch, SampleSource, SampleView, TrainingSample } from './types';

/** Loads `indices` from `source` and stacks them into a TrainingBatch; teachers missing for a row get a zero row and mask 0. */
export async function loadBatch(
  source: SampleSource,
  indices: number[],
  viewOf: (index: number, position: number) => SampleView,
  teachers: Record<string, number>,
): Promise<TrainingBatch> {
  const samples: TrainingSample[] = await Promise.all(indices.map((i, p) => source.get(i, viewOf(i, p))));
  const [T, H, W, C] = source.clipShape;
  const clipSize = T * H * W * C;
  const video = new Float32Array(samples.length * clipSize);
  samples.forEach((s, b) => {
    if (s.video.length !== clipSize) throw new Error(`sample '${s.id}': clip has ${s.video.length} values, expected ${clipSize} ([${source.clipShape}])`);
    video.set(s.video, b * clipSize);
  });
  const teacherTensors: TrainingBatch['teachers'] = {};
  for (const [name, dim] of Object.entries(teachers)) {
    const feats = new Float32Array(samples.length * dim);
    const mask = new Uint8Array(samples.length);
    samples.forEach((s, b) => {
      const f = s.teachers?.[name];
      if (!f) return;
      if (f.length !== dim) throw new Error(`sample '${s.id}': teacher '${name}' feature has ${f.length} values, expected ${dim}`);
      for (let k = 0; k < dim; k++) {
        if (!Number.isFinite(f[k])) throw new Error(`sample '${s.id}': teacher '${name}' feature has a non-finite value at ${k}`);
      }
      feats.set(f, b * dim);
      mask[b] = 1;
    });
    teacherTensors[name] = { features: tf.tensor2d(feats, [samples.length, dim]), mask };
  }
  return {
    video: tf.tensor5d(video, [samples.length, T, H, W, C]),
    labels: samples.map((s) => s.label),
    ids: samples.map((s) => s.id),
    indices,
    teachers: teacherTensors,
  };
}

export function disposeBatch(b: TrainingBatch): void {
  b.video.dispose();
  for (const t of Object.values(b.teachers)) t.features.dispose();
}
