import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng, type ForkableRng } from '@ccl/base';
import { writeFileAtomicSync, writeJsonAtomicSync } from '@ccl/base/node';
import { encodeWavMono16 } from '../io/image-audio-files';
import { encodePngRgb } from '../io/png';
import type { Manifest, ManifestSample } from '../manifest/schema';
import { makeManifest, sortedNames } from '../manifest/schema';
import { encodeVideo } from '../media/encode';
import { appearanceAt, classComposition, MOTION_ORDER, type Appearance } from './appearance';
import { appearanceLabel, resolveNuisance, withNuisance, type Nuisance } from './nuisance';
import type { AudioCorrespondence, SourceConcepts, UnrelatedAudio } from './regime';
import { assignUnrelatedSounds, classSplitSizes, sourceConceptCounts } from './regime';
import { randomScene, renderFrame, type SceneParams } from './render';
import { assertBelowNyquist, renderSound, soundAt } from './sound';

export interface SyntheticAVOptions {
  outDir: string;
  seed?: number;
  /** Number of video classes (<= 36). Default 6. */
  numClasses?: number;
  videosPerClass?: number;
  /** Fraction of each class's videos in the test split (default 0.25, at least one when > 0). */
  testFraction?: number;
  /** Train videos per class; given with testVideosPerClass, the two replace videosPerClass / testFraction. */
  trainVideosPerClass?: number;
  /** Test videos per class (the first ones of each class); given with trainVideosPerClass. */
  testVideosPerClass?: number;
  width?: number;
  height?: number;
  frames?: number;
  fps?: number;
  sampleRate?: number;
  /** Per class, by class number; default cycles strong, weak, none. */
  correspondence?: AudioCorrespondence[];
  /** Probability that a 'weak' class plays its own sound (default 0.5). */
  weakProbability?: number;
  /** What 'weak' / 'none' classes play instead of their own sound (default 'random', see UnrelatedAudio). */
  unrelatedAudio?: UnrelatedAudio;
  /**
   * Appearance / sound concepts of the teachers' source sets (default: exactly those of the video
   * classes). More gives the teachers knowledge beyond the video task, as ImageNet / AudioSet do.
   */
  sourceConcepts?: SourceConcepts;
  /** Steps per octave of the sound ladder (soundAt; default 3). 12 fits more sounds below Nyquist. */
  soundStepsPerOctave?: number;
  /** Amplitude of the per-pixel noise of the video frames (default 12; teacher stills keep 12). */
  pixelNoise?: number;
  /** Still frames per appearance for the image teacher's source data (0 to skip). Default 8. */
  imagesPerAppearance?: number;
  /** Audio clips per sound for the audio teacher's source data (0 to skip). Default 8. */
  clipsPerSound?: number;
  /** Nuisance variation of videos and stills (colour, scale; see nuisance.ts). Default: none. */
  nuisance?: Nuisance;
  /** Encoder preset (see VIDEO_CODECS). Default 'h264' (H.264 + AAC in mp4). */
  codec?: string;
  /** Number of ffmpeg encoders run at once (default 2). */
  concurrency?: number;
}

export interface TeacherSourceItem {
  file: string; // relative to outDir
  label: string;
  labelIndex: number;
}

/** Source data for pre-training the teachers on tasks different from the video task. */
export interface TeacherSourceIndex {
  classes: string[];
  items: TeacherSourceItem[];
}

export type { AudioCorrespondence, SourceConcepts, UnrelatedAudio } from './regime';
export type { Nuisance } from './nuisance';

export interface SyntheticAVResult {
  manifest: Manifest;
  manifestPath: string;
  images: TeacherSourceIndex;
  sounds: TeacherSourceIndex;
}

function seedFor(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return h;
}

async function runLimited<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker));
  return results;
}

/**
 * The regime options that were given (absent ones are the defaults, so a default manifest is unchanged)
 * and, for 'consistent' unrelated audio, each weak / none class's unrelated sound.
 */
function regimeMeta(options: SyntheticAVOptions, classUnrelatedSound: Record<string, string> | null): Record<string, unknown> {
  const keys = ['trainVideosPerClass', 'testVideosPerClass', 'unrelatedAudio', 'sourceConcepts', 'soundStepsPerOctave', 'pixelNoise', 'nuisance'] as const;
  const given = Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]));
  return classUnrelatedSound ? { ...given, classUnrelatedSound } : given;
}

/**
 * Generates a seeded synthetic audio-visual dataset under `outDir`:
 * - `videos/<class>/<id>.mp4`: moving shapes over noisy gradients (class = appearance x motion) with a
 *   soundtrack (gated harmonic tones), encoded through ffmpeg pipes;
 * - `manifest.json` (classes sorted; per-sample attributes: appearance, motion, sound; per-class audio
 *   correspondence in `meta.correspondence`);
 * - `teachers/images/` still frames labelled by appearance and `teachers/sounds/` WAV clips labelled by
 *   sound, each with an `index.json` — the teachers' own label spaces, unlike the video classes.
 * Audio correspondence per class: 'strong' = always the class's own sound, 'weak' = own sound with
 * probability `weakProbability` else an unrelated one, 'none' = an unrelated one; unrelated is a random
 * class's sound per video ('random') or the class's fixed sound outside all classes' own ('consistent').
 * Everything is a function of the seed (each video has its own derived rng).
 */
export async function generateSyntheticAV(options: SyntheticAVOptions): Promise<SyntheticAVResult> {
  const o = {
    seed: 1,
    numClasses: 6,
    videosPerClass: 8,
    testFraction: 0.25,
    width: 64,
    height: 64,
    frames: 16,
    fps: 8,
    sampleRate: 16000,
    weakProbability: 0.5,
    imagesPerAppearance: 8,
    clipsPerSound: 8,
    codec: 'h264',
    concurrency: 2,
    unrelatedAudio: 'random' as UnrelatedAudio,
    soundStepsPerOctave: 3,
    pixelNoise: 12,
    ...options,
  };
  const K = o.numClasses;
  if (!(Number.isInteger(K) && K >= 2 && K <= 36)) throw new Error(`generateSyntheticAV: numClasses must be 2-36, got ${K}`);
  if (o.width % 2 || o.height % 2) throw new Error(`generateSyntheticAV: width and height must be even for H.264 4:2:0, got ${o.width}x${o.height}`);
  if (!(o.unrelatedAudio === 'random' || o.unrelatedAudio === 'consistent'))
    throw new Error(`generateSyntheticAV: unrelatedAudio must be 'random' or 'consistent', got '${o.unrelatedAudio}'`);
  if (!(Number.isInteger(o.soundStepsPerOctave) && o.soundStepsPerOctave >= 1 && o.soundStepsPerOctave <= 24))
    throw new Error(`generateSyntheticAV: soundStepsPerOctave must be an integer 1-24, got ${o.soundStepsPerOctave}`);
  if (!(Number.isFinite(o.pixelNoise) && o.pixelNoise >= 0)) throw new Error(`generateSyntheticAV: pixelNoise must be >= 0, got ${o.pixelNoise}`);
  const corr: AudioCorrespondence[] = Array.from({ length: K }, (_, k) => o.correspondence?.[k] ?? (['strong', 'weak', 'none'] as const)[k % 3]!);
  const seconds = o.frames / o.fps;
  const split = classSplitSizes(o);
  const compositions = Array.from({ length: K }, (_, k) => classComposition(k, K));
  const concepts = sourceConceptCounts(o.sourceConcepts, Math.max(...compositions.map((c) => c.appearance)) + 1, K);
  const nuisance = o.nuisance === undefined ? null : resolveNuisance(o.nuisance, concepts.images);
  const labelOf = (a: number) => (nuisance ? appearanceLabel(appearanceAt(a), nuisance) : appearanceAt(a).name);
  const classNames = compositions.map((c) => `${labelOf(c.appearance)}_${MOTION_ORDER[c.motion]}`);
  /** A video's or still's appearance and scene, with the nuisances drawn from their own stream when there are any. */
  const varied = (appearance: Appearance, scene: SceneParams, rng: ForkableRng) =>
    nuisance ? withNuisance(appearance, scene, nuisance, rng.fork(5)) : { appearance, scene };
  // sounds[0..K-1] are the classes' own; the rest only the audio teacher's source set (and unrelated audio) has.
  const sounds = Array.from({ length: concepts.sounds }, (_, s) => soundAt(s, o.soundStepsPerOctave));
  sounds.forEach((spec, s) => assertBelowNyquist(spec, o.sampleRate, `generateSyntheticAV: sound ${s}`));
  const unrelated = o.unrelatedAudio === 'consistent' ? assignUnrelatedSounds(corr, concepts.sounds, createRng(seedFor(o.seed, 4))) : null;
  const root = path.resolve(o.outDir);
  fs.mkdirSync(root, { recursive: true });

  const samples: ManifestSample[] = [];
  const tasks: (() => Promise<void>)[] = [];
  for (let k = 0; k < K; k++) {
    const appearance = appearanceAt(compositions[k]!.appearance);
    const motion = MOTION_ORDER[compositions[k]!.motion] as string;
    for (let v = 0; v < split.total; v++) {
      const rng = createRng(seedFor(o.seed, 1, k, v));
      const own = corr[k] === 'strong' || (corr[k] === 'weak' && rng.next() < o.weakProbability);
      const soundIndex = own ? k : (unrelated?.[k] ?? rng.int(0, K - 1));
      const id = `${classNames[k]}_${String(v).padStart(3, '0')}`;
      const rel = `videos/${classNames[k]}/${id}.mp4`;
      const drawn = randomScene(rng);
      const audio = renderSound(sounds[soundIndex]!, seconds, o.sampleRate, rng.fork(2));
      const pixelRng = rng.fork(3);
      const { scene, appearance: seen } = varied(appearance, drawn, rng);
      const attributes = { appearance: labelOf(compositions[k]!.appearance), motion, sound: sounds[soundIndex]!.name, correspondence: corr[k]! };
      samples.push({
        id,
        label: classNames[k]!,
        split: v < split.test ? 'test' : 'train',
        video: rel,
        attributes: nuisance ? { ...attributes, colour: seen.color, radius: Number(scene.radius.toFixed(3)) } : attributes,
      });
      // frames rendered when the video is encoded (own rng, so the order does not matter): hundreds of videos never sit in memory
      const frames = (function* () {
        for (let t = 0; t < o.frames; t++) yield renderFrame(o.width, o.height, seen, motion, t / o.frames, scene, pixelRng, o.pixelNoise);
      })();
      tasks.push(() =>
        encodeVideo(
          path.join(root, rel),
          { width: o.width, height: o.height, fps: o.fps, frames, audio: { sampleRate: o.sampleRate, samples: audio } },
          o.codec,
        ),
      );
    }
  }
  await runLimited(tasks, o.concurrency);

  // Teachers' source data: appearance-labelled stills, sound-labelled clips.
  const nAppearances = concepts.images;
  const imageClasses = Array.from({ length: nAppearances }, (_, a) => labelOf(a));
  const images: TeacherSourceIndex = { classes: imageClasses, items: [] };
  for (let a = 0; a < nAppearances; a++) {
    for (let i = 0; i < o.imagesPerAppearance; i++) {
      const rng = createRng(seedFor(o.seed, 2, a, i));
      const drawn = randomScene(rng);
      const motion = MOTION_ORDER[rng.int(0, MOTION_ORDER.length - 1)] as string;
      const u = rng.next();
      const { scene, appearance } = varied(appearanceAt(a), drawn, rng);
      const rgb = renderFrame(o.width, o.height, appearance, motion, u, scene, rng);
      const file = `teachers/images/${imageClasses[a]}_${String(i).padStart(3, '0')}.png`;
      writeFileAtomicSync(path.join(root, file), encodePngRgb(rgb, o.width, o.height));
      images.items.push({ file, label: imageClasses[a]!, labelIndex: a });
    }
  }
  const soundClasses = sounds.map((s) => s.name);
  const soundIndex: TeacherSourceIndex = { classes: soundClasses, items: [] };
  for (let s = 0; s < sounds.length; s++) {
    for (let i = 0; i < o.clipsPerSound; i++) {
      const rng = createRng(seedFor(o.seed, 3, s, i));
      const file = `teachers/sounds/${soundClasses[s]}_${String(i).padStart(3, '0')}.wav`;
      writeFileAtomicSync(path.join(root, file), encodeWavMono16(renderSound(sounds[s]!, seconds, o.sampleRate, rng), o.sampleRate));
      soundIndex.items.push({ file, label: soundClasses[s]!, labelIndex: s });
    }
  }
  if (o.imagesPerAppearance > 0) writeJsonAtomicSync(path.join(root, 'teachers/images/index.json'), images);
  if (o.clipsPerSound > 0) writeJsonAtomicSync(path.join(root, 'teachers/sounds/index.json'), soundIndex);

  const manifest = makeManifest({
    dataset: 'synthetic-av',
    classes: sortedNames(classNames),
    samples: samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    root,
    meta: {
      generator: 'generateSyntheticAV',
      seed: o.seed,
      width: o.width,
      height: o.height,
      frames: o.frames,
      fps: o.fps,
      sampleRate: o.sampleRate,
      codec: o.codec,
      correspondence: Object.fromEntries(classNames.map((c, k) => [c, corr[k]])),
      classSound: Object.fromEntries(classNames.map((c, k) => [c, sounds[k]!.name])),
      weakProbability: o.weakProbability,
      ...regimeMeta(options, unrelated && Object.fromEntries(classNames.flatMap((c, k) => (unrelated[k] === null ? [] : [[c, sounds[unrelated[k]!]!.name]])))),
    },
  });
  const manifestPath = path.join(root, 'manifest.json');
  writeJsonAtomicSync(manifestPath, manifest);
  return { manifest, manifestPath, images, sounds: soundIndex };
}
