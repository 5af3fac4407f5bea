import {
  clipPath,
  createRng,
  evalClip,
  gatherFrames,
  openClipFile,
  readClipFrames,
  samplesOfSplit,
  selectTeacherRow,
  temporalEvenCrop,
  trainClip,
  type ClipFileInfo,
  type ClipU8,
  type FeatureSet,
  type Manifest,
  type ManifestSample,
  type SplitName,
  type TrainClipOptions,
} from '@ccl/data';
import type { SampleSource, SampleView, TrainingSample } from '../train/types';

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
  features?: Record<string, FeatureSet>;
  /** Training augmentation (RandomResizedCrop scale/ratio, flip); reference defaults otherwise. */
  augment?: Omit<TrainClipOptions, 'frames' | 'size'>;
}

/**
 * A SampleSource over a prepared clip cache: training views are the reference's random 16-frame crop
 * (loop-padded), RandomResizedCrop + flip with one parameter set per clip and Kinetics normalisation;
 * evaluation views are `clips` evenly spaced clips with a centre crop (METHOD §6). Every draw comes from
 * the view's RNG, so a sample is a pure function of (index, view).
 */
export function clipCacheSource(o: ClipCacheSourceOptions): SampleSource & { samples: ManifestSample[]; classes: string[] } {
  const samples = samplesOfSplit(o.manifest, o.split);
  if (samples.length === 0) throw new Error(`manifest '${o.manifest.dataset}' has no '${o.split}' samples`);
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
  const video = (s: ManifestSample): ClipU8 => {
    const i = info(s.id);
    const { t, h, w, c } = i.header;
    return { data: readClipFrames(i, Array.from({ length: t }, (_, k) => k)), t, h, w, c };
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
      const v = video(s);
      let clip: Float32Array;
      const teachers: Record<string, Float32Array | null> = {};
      if (view.kind === 'train') {
        const rng = createRng(view.rng.int(2 ** 31));
        clip = trainClip(v, rng, { ...o.augment, frames: o.frames, size: o.size }).clip.data;
        for (const [name, set] of Object.entries(o.features ?? {})) {
          const f = set.features.get(s.id);
          teachers[name] = f ? selectTeacherRow(f, rng.fork(7)) : null;
        }
      } else {
        const windows = temporalEvenCrop(v.t, o.frames, view.clips);
        const frames = windows[Math.min(view.clip, windows.length - 1)];
        clip = evalClip(gatherFrames(v, frames), { size: o.size }).data;
      }
      return { id: s.id, label, video: clip, teachers };
    },
  };
}
