/**
 * Spatial clip transforms matching the reference (torchvision on PIL images, one parameter set per
 * clip: 3D-ResNets' `randomize_parameters`). A clip is row-major `[T, H, W, C]`.
 */
import type { Rng } from '@ccl/base';
import { resizeBilinearPil } from './resample';

/** A video clip `[T, H, W, C]` of 8-bit values. */
export interface ClipU8 {
  data: Uint8Array; // [T, H, W, C]
  t: number;
  h: number;
  w: number;
  c: number;
}

/** A float clip `[T, H, W, C]` (after value scaling / normalisation). */
export interface ClipF32 {
  data: Float32Array; // [T, H, W, C]
  t: number;
  h: number;
  w: number;
  c: number;
}

/** A crop box in pixels. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python 3's round(): half to even (torchvision's crop arithmetic uses it). */
export function pythonRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Selects frames by position (e.g. from a temporal transform): out[k] = clip[indices[k]]. */
export function gatherFrames(clip: ClipU8, indices: readonly number[]): ClipU8 {
  const frame = clip.h * clip.w * clip.c;
  const data = new Uint8Array(indices.length * frame);
  indices.forEach((idx, k) => {
    if (!(Number.isInteger(idx) && idx >= 0 && idx < clip.t)) throw new Error(`gatherFrames: frame ${idx} outside [0, ${clip.t})`);
    data.set(clip.data.subarray(idx * frame, (idx + 1) * frame), k * frame);
  });
  return { data, t: indices.length, h: clip.h, w: clip.w, c: clip.c };
}

export interface RandomResizedCropOptions {
  /** Area fraction range (default [0.25, 1], METHOD §6). */
  scale?: [number, number];
  /** Aspect ratio (w/h) range (default [3/4, 4/3]). */
  ratio?: [number, number];
}

/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 tries of area = A * U(scale), aspect =
 * exp(U(log ratio)), w = round(sqrt(area * aspect)), h = round(sqrt(area / aspect)), accepted when it fits,
 * at top = randint(0, H - h), left = randint(0, W - w); else the fallback (whole image clamped to the
 * ratio range, centred).
 */
export function randomResizedCropBox(height: number, width: number, rng: Rng, options: RandomResizedCropOptions = {}): CropBox {
  const [s0, s1] = options.scale ?? [0.25, 1];
  const [r0, r1] = options.ratio ?? [3 / 4, 4 / 3];
  const area = height * width;
  const logR0 = Math.log(r0);
  const logR1 = Math.log(r1);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = rng.uniform(s0, s1) * area;
    const aspect = Math.exp(rng.uniform(logR0, logR1));
    const w = pythonRound(Math.sqrt(targetArea * aspect));
    const h = pythonRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h);
      const left = rng.int(0, width - w);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(r0, r1)) {
    w = width;
    h = pythonRound(w / Math.min(r0, r1));
  } else if (inRatio > Math.max(r0, r1)) {
    h = height;
    w = pythonRound(h * Math.max(r0, r1));
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** torchvision `CenterCrop(size)`: top = round((H - size) / 2), left = round((W - size) / 2) (Python rounding). */
export function centerCropBox(height: number, width: number, size: number): CropBox {
  if (size > height || size > width) throw new Error(`centerCropBox: crop ${size} larger than ${height}x${width}`);
  return { top: pythonRound((height - size) / 2), left: pythonRound((width - size) / 2), height: size, width: size };
}

/** torchvision `Resize(size)` with an int: the short side becomes `size`, the long side int(size * long / short) (truncated). */
export function resizeShortSideShape(height: number, width: number, size: number): { height: number; width: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { height: size, width: Math.trunc((size * width) / height) };
}

/** Crops every frame of a clip to `box`. */
export function cropClip(clip: ClipU8, box: CropBox): ClipU8 {
  const { top, left, height, width } = box;
  if (top < 0 || left < 0 || top + height > clip.h || left + width > clip.w)
    throw new Error(`cropClip: box ${JSON.stringify(box)} outside ${clip.h}x${clip.w}`);
  const data = new Uint8Array(clip.t * height * width * clip.c);
  const rowIn = clip.w * clip.c;
  const rowOut = width * clip.c;
  for (let t = 0; t < clip.t; t++) {
    for (let y = 0; y < height; y++) {
      const src = (t * clip.h + top + y) * rowIn + left * clip.c;
      data.set(clip.data.subarray(src, src + rowOut), (t * height + y) * rowOut);
    }
  }
  return { data, t: clip.t, h: height, w: width, c: clip.c };
}

/** Resizes every frame with Pillow-exact bilinear resampling (see resizeBilinearPil). */
export function resizeClip(clip: ClipU8, height: number, width: number): ClipU8 {
  if (height === clip.h && width === clip.w) return { ...clip, data: clip.data.slice() };
  const frame = clip.h * clip.w * clip.c;
  const out = new Uint8Array(clip.t * height * width * clip.c);
  for (let t = 0; t < clip.t; t++) {
    out.set(resizeBilinearPil(clip.data.subarray(t * frame, (t + 1) * frame), clip.h, clip.w, clip.c, height, width), t * height * width * clip.c);
  }
  return { data: out, t: clip.t, h: height, w: width, c: clip.c };
}

/** Mirrors every frame left-right. */
export function hflipClip(clip: ClipU8): ClipU8 {
  const data = new Uint8Array(clip.data.length);
  for (let t = 0; t < clip.t; t++) {
    for (let y = 0; y < clip.h; y++) {
      for (let x = 0; x < clip.w; x++) {
        const src = ((t * clip.h + y) * clip.w + x) * clip.c;
        const dst = ((t * clip.h + y) * clip.w + (clip.w - 1 - x)) * clip.c;
        for (let ch = 0; ch < clip.c; ch++) data[dst + ch] = clip.data[src + ch] as number;
      }
    }
  }
  return { data, t: clip.t, h: clip.h, w: clip.w, c: clip.c };
}

/** Kinetics mean / std used by the reference (values in [0, 1]). */
export const KINETICS_MEAN: readonly [number, number, number] = [0.4345, 0.4051, 0.3775];
export const KINETICS_STD: readonly [number, number, number] = [0.2768, 0.2713, 0.2737];

export interface NormalizeOptions {
  mean?: readonly number[];
  std?: readonly number[];
  /** Multiplies v/255 before normalising (the reference's ScaleValue, 1 by default). */
  valueScale?: number;
}

/** ToTensor + ScaleValue + Normalize: out = (v / 255 * valueScale - mean_c) / std_c per channel. */
export function normalizeClip(clip: ClipU8, options: NormalizeOptions = {}): ClipF32 {
  const mean = options.mean ?? KINETICS_MEAN;
  const std = options.std ?? KINETICS_STD;
  const scale = options.valueScale ?? 1;
  if (mean.length !== clip.c || std.length !== clip.c) throw new Error(`normalizeClip: mean/std need ${clip.c} channels`);
  const data = new Float32Array(clip.data.length);
  for (let i = 0; i < data.length; i++) {
    const ch = i % clip.c;
    data[i] = (((clip.data[i] as number) / 255) * scale - (mean[ch] as number)) / (std[ch] as number);
  }
  return { data, t: clip.t, h: clip.h, w: clip.w, c: clip.c };
}
