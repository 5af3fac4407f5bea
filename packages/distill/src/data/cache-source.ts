import { createRng } from '@ccl/base';
import {
  evalClip,
  samplesOfSplit,
  selectTeacherRow,
  temporalEvenCrop,
  temporalRandomCrop,
  trainSpatial,
  type ClipU8,
  type TeacherFeatureSet,
  type Manifest,
  type ManifestSample,
  type SplitName,
  type TrainClipOptions,
} from '@ccl/data';
import { clipPath, openClipFile, readClipFrames, type ClipFileInfo } from '@ccl/data/node';
import type { SampleSource, SampleView, TrainingSample } from '../train/types';
import { checkTeacherCoverage, type CoverageRule } from './teacher-coverage';

export interface ClipCacheSourceOptions {
  manifest: Manifest;
  /** Folder written by @ccl/data's `prepareClipCache`. */
  cacheDir: string;
  split: SplitName;
  /** Frames per clip (reference 16). */
  frames: number;
  /** Spatial size of the clip (reference 112). */
  size: number;
  /** Precomputed teacher features by teacher name (e.g. the Cnn14 `.npy` folder as `audio`). */
  features?: Record<string, TeacherFeatureSet>;
  /** Training augmentation (RandomResizedCrop scale/ratio, flip); reference defaults otherwise. */
  augment?: Omit<TrainClipOptions, 'frames' | 'size'>;
  /** Per teacher name: the share of the training split its features must cover (default 50%, else an error). */
  coverage?: Record<string, Partial<CoverageRule>>;
  /** Where coverage warnings go (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/**
 * A SampleSource over a prepared clip cache: training views are the reference's random 16-frame crop
 * (loop-padded), RandomResizedCrop + flip with one parameter set per clip and Kinetics normalisation;
 * evaluation views are `clips` evenly spaced clips with a centre crop (METHOD §6). Every draw comes from
 * the view's RNG, so a sample is a pure function of (index, view). On the training split, every teacher's
 * features must cover its `coverage` share of the samples (see teacher-coverage.ts).
 */
export function clipCacheSource(o: ClipCacheSourceOptions): SampleSource & { samples: ManifestSample[]; classes: string[] } {
  const samples = samplesOfSplit(o.manifest, o.split);
  if (samples.length === 0) throw new Error(`manifest '${o.manifest.dataset}' has no '${o.split}' samples`);
  if (o.split === 'train' && o.features) checkTeacherCoverage(samples, o.features, o.coverage, o.onWarning);
  const labelOf = new Map(o.manifest.classes.map((c, i) => [c, i]));
  const infos = new Map<string, ClipFileInfo>();
  const info = (id: string) => {
    let i = infos.get(id);
    if (!i) {
      i = openClipFile(clipPath(o.cacheDir, id));
      infos.set(id, i);
    }
    return i;
  };
  /** Only the frames a view needs are read from the cache (a clip is 16 of a video's hundreds). */
  const frames = (s: ManifestSample, pick: (t: number) => number[]): ClipU8 => {
    const i = info(s.id);
    const { t, h, w, c } = i.header;
    const indices = pick(t);
    return { data: readClipFrames(i, indices), t: indices.length, h, w, c };
  };
  return {
    samples,
    classes: o.manifest.classes,
    length: samples.length,
    clipShape: [o.frames, o.size, o.size, 3],
    get(index: number, view: SampleView): TrainingSample {
      const s = samples[index];
      const label = labelOf.get(s.label);
      if (label === undefined) throw new Error(`sample '${s.id}': label '${s.label}' is not in the manifest's classes`);
      let clip: Float32Array;
      const teachers: Record<string, Float32Array | null> = {};
      if (view.kind === 'train') {
        // the draws of @ccl/data's trainClip, in its order: temporal crop, then the spatial parameters
        const rng = createRng(view.rng.int(0, 2 ** 31 - 1));
        const picked = frames(s, (t) => temporalRandomCrop(t, o.frames, rng));
        clip = trainSpatial(picked, rng, { ...o.augment, frames: o.frames, size: o.size }).clip.data;
        for (const [name, set] of Object.entries(o.features ?? {})) {
          const f = set.features.get(s.id);
          teachers[name] = f ? selectTeacherRow(f, rng.fork(7)) : null;
        }
      } else {
        const picked = frames(s, (t) => {
          const windows = temporalEvenCrop(t, o.frames, view.clips);
          return windows[Math.min(view.clip, windows.length - 1)];
        });
        clip = evalClip(picked, { size: o.size }).data;
      }
      return { id: s.id, label, video: clip, teachers };
    },
  };
}
