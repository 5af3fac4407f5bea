/**
 * The reference's clip pipelines (METHOD §6), composed from the temporal and spatial pieces.
 * Train: TemporalRandomCrop(16) -> RandomResizedCrop(112, scale 0.25-1, ratio 3/4-4/3) -> flip(p=0.5)
 * (one parameter set per clip) -> /255 -> normalise. Eval: Resize(112) (short side) -> CenterCrop(112)
 * -> /255 -> normalise, on clips from temporalEvenCrop (validation) or slidingWindows (test).
 */
import type { Rng } from '@ccl/base';
import type { ClipF32, ClipU8, CropBox, NormalizeOptions, RandomResizedCropOptions } from './spatial';
import { centerCropBox, cropClip, gatherFrames, hflipClip, normalizeClip, randomResizedCropBox, resizeClip, resizeShortSideShape } from './spatial';
import { temporalRandomCrop } from './temporal';

export interface TrainClipOptions extends RandomResizedCropOptions, NormalizeOptions {
  /** Frames per clip (16). */
  frames?: number;
  /** Output side (112). */
  size?: number;
  /** Flip probability (0.5). */
  flipProbability?: number;
}

/** The random choices made for one training clip (for logging / reproducing). */
export interface TrainClipParams {
  frameIndices: number[];
  box: CropBox;
  flipped: boolean;
}

/**
 * One training clip from a decoded video `[T, H, W, C]`. Random draws, in order: temporal start, crop
 * box, flip (`rng.next() < p`).
 */
export function trainClip(video: ClipU8, rng: Rng, options: TrainClipOptions = {}): { clip: ClipF32; params: TrainClipParams } {
  const frameIndices = temporalRandomCrop(video.t, options.frames ?? 16, rng);
  const { clip, box, flipped } = trainSpatial(gatherFrames(video, frameIndices), rng, options);
  return { clip, params: { frameIndices, box, flipped } };
}

/**
 * The spatial half of {@link trainClip} on already selected frames: crop box (one per clip), resize to
 * size x size, flip (`rng.next() < p`), normalise.
 */
export function trainSpatial(frames: ClipU8, rng: Rng, options: TrainClipOptions = {}): { clip: ClipF32; box: CropBox; flipped: boolean } {
  const size = options.size ?? 112;
  const box = randomResizedCropBox(frames.h, frames.w, rng, options);
  const flipped = rng.next() < (options.flipProbability ?? 0.5);
  let clip = resizeClip(cropClip(frames, box), size, size);
  if (flipped) clip = hflipClip(clip);
  return { clip: normalizeClip(clip, options), box, flipped };
}

/** Evaluation transform of one clip: short side -> size (torchvision Resize), centre crop size x size, normalise. */
export function evalClip(clip: ClipU8, options: NormalizeOptions & { size?: number } = {}): ClipF32 {
  const size = options.size ?? 112;
  const shape = resizeShortSideShape(clip.h, clip.w, size);
  const resized = resizeClip(clip, shape.height, shape.width);
  return normalizeClip(cropClip(resized, centerCropBox(resized.h, resized.w, size)), options);
}

/** Evaluation clips at the given frame positions (from temporalEvenCrop or slidingWindows). */
export function evalClips(video: ClipU8, windows: readonly (readonly number[])[], options: NormalizeOptions & { size?: number } = {}): ClipF32[] {
  return windows.map((w) => evalClip(gatherFrames(video, w), options));
}
