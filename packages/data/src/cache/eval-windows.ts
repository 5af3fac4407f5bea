import { openClipFile, readClipFrames } from './clip-file';
import { clipPath } from './clip-paths';
import type { ClipF32, NormalizeOptions } from '../transforms/spatial';
import { evalClip } from '../transforms/pipeline';
import { slidingWindows, temporalEvenCrop } from '../transforms/temporal';

export interface EvalWindowsOptions extends NormalizeOptions {
  /** Frames per window (16). */
  frames?: number;
  /** Output side (112). */
  size?: number;
  /** 'sliding' (final test: all windows, stride = frames unless given) or 'even' (validation: `numClips` clips). */
  protocol?: 'sliding' | 'even';
  stride?: number;
  /** Clips for the 'even' protocol (3). */
  numClips?: number;
}

/**
 * All evaluation clips of one cached video (METHOD §6): non-overlapping 16-frame windows with the last
 * loop-padded (final test), or 3 evenly spaced clips (validation); each resized (short side) and
 * centre-cropped to 112, normalised. Each clip is `[T, S, S, C]`.
 */
export function loadEvalWindows(cacheDir: string, id: string, options: EvalWindowsOptions = {}): ClipF32[] {
  const frames = options.frames ?? 16;
  const info = openClipFile(clipPath(cacheDir, id));
  const { t, h, w, c } = info.header;
  const windows =
    (options.protocol ?? 'sliding') === 'sliding' ? slidingWindows(t, frames, options.stride ?? frames) : temporalEvenCrop(t, frames, options.numClips ?? 3);
  const evalOptions: NormalizeOptions & { size?: number } = { ...options };
  return windows.map((win) => evalClip({ data: readClipFrames(info, win), t: win.length, h, w, c }, evalOptions));
}
