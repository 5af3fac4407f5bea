import * as tf from '@tensorflow/tfjs-core';
import { evalClip, slidingWindows, gatherFrames, type ClipF32, type ClipU8 } from '@ccl/data';
import type { Encoder } from '@ccl/encoders';
import { aggregateVideoScores } from '@ccl/eval';
import type { StudentClipSpec } from './student-export';

/** Windows per forward pass (as `ccl eval`'s windowOutputs). */
export const WINDOWS_PER_PASS = 8;

/**
 * `ccl eval`'s clips of one decoded video `[T, H, W, 3]`: sliding windows of `frames` frames (the last
 * loop-padded), each resized (short side, Pillow bilinear) and centre-cropped to size x size, normalised.
 * Each clip is `[frames, size, size, 3]`.
 */
export function evalWindowsOfVideo(video: ClipU8, clip: StudentClipSpec): ClipF32[] {
  return slidingWindows(video.t, clip.frames, clip.stride).map((w) =>
    evalClip(gatherFrames(video, w), { size: clip.size, mean: clip.mean, std: clip.std, valueScale: clip.valueScale }),
  );
}

/** The student's logits of a batch `[B, T, S, S, 3]` (flat, row-major), as rows `[B][classes]`. */
export async function logitsOfBatch(student: Encoder, data: Float32Array, shape: [number, number, number, number, number]): Promise<number[][]> {
  const logits = tf.tidy(() => student.apply(tf.tensor5d(data, shape), { training: false }).logits!);
  try {
    return (await logits.array()) as number[][];
  } finally {
    logits.dispose();
  }
}

/** Logits of every clip, `WINDOWS_PER_PASS` clips per forward pass: `[clips][classes]`. */
export async function logitsOfClips(student: Encoder, clips: readonly ClipF32[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let at = 0; at < clips.length; at += WINDOWS_PER_PASS) {
    const chunk = clips.slice(at, at + WINDOWS_PER_PASS);
    const first = chunk[0]!;
    const data = new Float32Array(chunk.length * first.data.length);
    chunk.forEach((c, i) => data.set(c.data, i * first.data.length));
    out.push(...(await logitsOfBatch(student, data, [chunk.length, first.t, first.h, first.w, first.c])));
  }
  return out;
}

export interface ClassScore {
  index: number;
  name: string;
  /** Softmax averaged over the video's windows. */
  score: number;
}

/** The video's class scores as `ccl eval` makes them (softmax of each window's logits, averaged), best first, the top `k`. */
export function topClasses(windowLogits: number[][], classes: readonly string[], k = 5): ClassScore[] {
  const { scores } = aggregateVideoScores(
    windowLogits,
    windowLogits.map(() => 'video'),
    'logits',
  );
  return Array.from(scores.data, (score, index) => ({ index, name: classes[index] ?? String(index), score }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k);
}
