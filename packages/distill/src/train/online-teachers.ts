import * as tf from '@tensorflow/tfjs-core';
import { keyedRng } from '@ccl/base';
import { KINETICS_MEAN, KINETICS_STD } from '@ccl/data';
import type { ExperimentConfig, TeacherConfig } from '../config/experiment';
import { RNG_PURPOSE } from '../rng-purpose';
import type { TrainableEncoder, TrainingBatch } from './types';

/**
 * A teacher's view of frames taken from the normalised clip: optional bilinear resize, optional
 * re-normalisation x' = (x * inputStd + inputMean - mean) / std (inputStd and inputMean default to
 * @ccl/data's KINETICS_STD and KINETICS_MEAN, the statistics the clips were normalised with, METHOD §6).
 *
 * @param frames [B, H, W, C]
 */
export function teacherFrames(frames: tf.Tensor4D, t: TeacherConfig['frameTransform']): tf.Tensor4D {
  if (!t) return frames;
  return tf.tidy(() => {
    let x = frames;
    if (t.mean || t.std) {
      const c = frames.shape[3];
      const vec = (v: number[] | undefined, fallback: readonly number[], what: string) => {
        const out = v ?? fallback;
        if (out.length !== c) throw new Error(`frameTransform.${what} has ${out.length} values for ${c} channels`);
        return tf.tensor1d([...out]);
      };
      const raw = tf.add(tf.mul(x, vec(t.inputStd, KINETICS_STD, 'inputStd')), vec(t.inputMean, KINETICS_MEAN, 'inputMean'));
      x = tf.div(tf.sub(raw, vec(t.mean, new Array(c).fill(0), 'mean')), vec(t.std, new Array(c).fill(1), 'std')) as tf.Tensor4D;
    }
    if (t.size && (t.size !== x.shape[1] || t.size !== x.shape[2])) x = tf.image.resizeBilinear(x, [t.size, t.size]);
    return x;
  });
}

/**
 * Adds the online teachers' features to `batch` (the batch of `step` in `epoch`): each frozen image teacher
 * runs in eval mode on one frame of the clip, drawn with the RNG of (seed, epoch, step, teacher), one frame
 * for the batch (the reference) or one per sample (`framePolicy: 'per-sample'`).
 */
export function addOnlineTeacherFeatures(
  batch: TrainingBatch,
  config: ExperimentConfig,
  encoders: Readonly<Record<string, TrainableEncoder>> | undefined,
  epoch: number,
  step: number,
): void {
  const [B, T] = batch.video.shape;
  config.teachers.forEach((t, ti) => {
    if (t.input !== 'online-frame') return;
    const enc = encoders![t.name];
    const rng = keyedRng(config.seed, RNG_PURPOSE.frame, epoch, step, ti);
    const frames = t.framePolicy === 'per-sample' ? Array.from({ length: B }, () => rng.int(0, T - 1)) : Array(B).fill(rng.int(0, T - 1));
    const features = tf.tidy(() => {
      const picked = tf.stack(frames.map((f, b) => tf.squeeze(tf.slice(batch.video, [b, f, 0, 0, 0], [1, 1, -1, -1, -1]), [0, 1]))) as tf.Tensor4D; // [B, H, W, C]
      const out = enc.apply(teacherFrames(picked, t.frameTransform), { training: false }).features;
      if (out.shape[1] !== t.dim) throw new Error(`online teacher '${t.name}' gives ${out.shape[1]}-d features, config says ${t.dim}`);
      return out;
    });
    batch.teachers[t.name] = { features, mask: new Uint8Array(B).fill(1) };
  });
}
