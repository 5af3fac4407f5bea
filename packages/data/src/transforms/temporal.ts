/**
 * Temporal sampling of frame positions, following the reference loader (3D-ResNets-PyTorch's
 * temporal_transforms, used by the CCL code). Every function returns 0-based frame positions of a
 * video with `numFrames` frames.
 */
import type { Rng } from '@ccl/base';

function checkArgs(numFrames: number, size: number, what: string): void {
  if (!(Number.isInteger(numFrames) && numFrames >= 1)) throw new Error(`${what}: the video needs at least one frame, got ${numFrames}`);
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`${what}: clip size must be a positive integer, got ${size}`);
}

function range(begin: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - begin) }, (_, i) => begin + i);
}

/** Loop padding: repeats `indices` cyclically until there are `size` of them (out[i] = in[i mod n]). */
export function loopPad(indices: readonly number[], size: number): number[] {
  if (indices.length === 0) throw new Error('loopPad: no frames to pad');
  const out = indices.slice(0, Math.max(indices.length, 0));
  for (let i = 0; out.length < size; i++) out.push(indices[i % indices.length] as number);
  return out;
}

/**
 * Training crop: `size` consecutive frames from a uniformly random start in
 * [0, max(0, numFrames - size - 1)] (both inclusive; the reference's upper bound leaves out the last
 * possible start), loop-padded when the video is shorter than `size`.
 */
export function temporalRandomCrop(numFrames: number, size: number, rng: Rng): number[] {
  checkArgs(numFrames, size, 'temporalRandomCrop');
  const begin = rng.int(0, Math.max(0, numFrames - size - 1));
  return loopPad(range(begin, Math.min(begin + size, numFrames)), size);
}

/** Centre crop: start max(0, floor(n/2) - floor(size/2)), loop-padded. */
export function temporalCenterCrop(numFrames: number, size: number): number[] {
  checkArgs(numFrames, size, 'temporalCenterCrop');
  const begin = Math.max(0, Math.floor(numFrames / 2) - Math.floor(size / 2));
  return loopPad(range(begin, Math.min(begin + size, numFrames)), size);
}

/**
 * `numClips` evenly spaced clips (validation: 3 per video): starts 0, s, 2s, ... with
 * s = max(1, ceil((n - 1 - size) / (numClips - 1))); a clip running past the end is loop-padded and
 * ends the list (so a short video yields fewer clips, as in the reference). `numClips = 1` gives the
 * first clip (the reference divides by zero there).
 */
export function temporalEvenCrop(numFrames: number, size: number, numClips: number): number[][] {
  checkArgs(numFrames, size, 'temporalEvenCrop');
  if (!(Number.isInteger(numClips) && numClips >= 1)) throw new Error(`temporalEvenCrop: numClips must be a positive integer, got ${numClips}`);
  const stride = numClips === 1 ? numFrames : Math.max(1, Math.ceil((numFrames - 1 - size) / (numClips - 1)));
  return windowsFrom(numFrames, size, stride, numClips);
}

/**
 * Sliding windows (final test): starts 0, stride, 2*stride, ... (stride defaults to `size`: the
 * non-overlapping windows); the first window running past the end is loop-padded and is the last.
 */
export function slidingWindows(numFrames: number, size: number, stride: number = size): number[][] {
  checkArgs(numFrames, size, 'slidingWindows');
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`slidingWindows: stride must be a positive integer, got ${stride}`);
  return windowsFrom(numFrames, size, stride);
}

/**
 * Windows of `size` frames starting at 0, stride, 2*stride, ... below `numFrames`, at most `maxWindows`; the
 * first one running past the end is loop-padded and is the last.
 */
function windowsFrom(numFrames: number, size: number, stride: number, maxWindows = Number.POSITIVE_INFINITY): number[][] {
  const out: number[][] = [];
  for (let begin = 0; begin < numFrames && out.length < maxWindows; begin += stride) {
    const clip = range(begin, Math.min(numFrames, begin + size));
    if (clip.length < size) {
      out.push(loopPad(clip, size));
      break;
    }
    out.push(clip);
  }
  return out;
}
