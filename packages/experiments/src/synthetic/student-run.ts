import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Manifest } from '@ccl/data';
import {
  DivergedError,
  inspectRunFolder,
  progressBarListener,
  resolveExperimentConfig,
  Trainer,
  type ExperimentConfig,
  type RunFolderState,
  type TrainableEncoder,
} from '@ccl/distill';
import type { Encoder } from '@ccl/encoders';
import { buildExperiment, studentFor } from '../build-experiment';
import { gitRevision } from '../provenance';

export interface StudentSpec {
  widthMultiplier: number;
  frames: number;
  size: number;
  seed: number;
}

export interface RunSpec {
  method: string;
  outDir: string;
  manifest: Manifest;
  cacheDir: string;
  student: StudentSpec;
  /** Folder of the audio teacher's `.npy` features (teacher `audio`), if the method uses it. */
  audioFeaturesDir?: string;
  /** Online image teacher (teacher `image`), if the method uses it. */
  imageTeacher?: TrainableEncoder;
  teacherDim: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Extra config (kdOptions, lossWeight, cclTerms, ...). */
  extra?: Record<string, unknown>;
  /** Extra settings of a teacher by name (e.g. `{ audio: { temperature: 0.1 } }`). */
  teacherOptions?: Record<string, Record<string, unknown>>;
  /** Label of the run in run.json and reports (default: the method). */
  label?: string;
  /** Training augmentation (default TRAIN_AUGMENT). */
  augment?: TrainAugment;
  /** Where the progress bar goes (default stderr; null: none). */
  progress?: NodeJS.WriteStream | null;
  /** The code's revision, recorded in run.json (default: gitRevision() now); the benchmark takes it once, at its start. */
  gitRevision?: string | null;
  /** Told when the run folder's policy acts (a stale lock, stray temporary files, a replaced run); default stderr. */
  notice?: (message: string) => void;
}

/** The training crops of a run: RandomResizedCrop's area range, as a share of the frame. */
export interface TrainAugment {
  scale: [number, number];
}

/** The demo's and the benchmark's training crops unless a preset says otherwise: 0.5-1 of the frame. */
export const TRAIN_AUGMENT: TrainAugment = { scale: [0.5, 1] };

/**
 * Whether the run in `outDir` was trained on the clips `spec` asks for (frames, size and training crops,
 * which its config does not hold; run.json records them): a run of other clips is never reused or resumed.
 * Runs recorded before the crops were recorded used TRAIN_AUGMENT.
 */
export function sameClips(outDir: string, spec: Pick<RunSpec, 'student' | 'augment'>): boolean {
  const file = path.join(outDir, 'run.json');
  if (!fs.existsSync(file)) return false;
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as { clip?: { frames: number; size: number }; augment?: TrainAugment };
  const recorded = { clip: run.clip, augment: run.augment ?? TRAIN_AUGMENT };
  const asked = { clip: { frames: spec.student.frames, size: spec.student.size }, augment: spec.augment ?? TRAIN_AUGMENT };
  return JSON.stringify(recorded) === JSON.stringify(asked);
}

/** The student's encoder options, recorded in run.json's config (the student is built from the config: studentFor). */
function studentOptions(numClasses: number, s: StudentSpec): Record<string, unknown> {
  return { numClasses, widthMultiplier: s.widthMultiplier, seed: s.seed };
}

/** The experiment config of a run of the demo or the benchmark (validated; the reference defaults filled in). */
export function studentRunConfig(spec: Omit<RunSpec, 'cacheDir' | 'progress' | 'notice' | 'gitRevision'>): ExperimentConfig {
  const teachers: Record<string, unknown>[] = [];
  if (spec.audioFeaturesDir) teachers.push({ name: 'audio', modality: 'audio', dim: spec.teacherDim, ...spec.teacherOptions?.audio });
  if (spec.imageTeacher) teachers.push({ name: 'image', modality: 'image', dim: spec.teacherDim, ...spec.teacherOptions?.image });
  return resolveExperimentConfig({
    name: path.basename(spec.outDir),
    method: spec.method,
    seed: spec.student.seed,
    student: { encoder: 'r2plus1d-18', options: studentOptions(spec.manifest.classes.length, spec.student) },
    teachers: spec.method === 'baseline' ? [] : teachers,
    optimizer: { lr: spec.lr, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'cosine', epochs: spec.epochs },
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    validation: { policy: 'held-out', every: 1, clips: 2 },
    checkpointEvery: spec.epochs,
    ...spec.extra,
  });
}

/**
 * Trains one run into its folder, which the demo owns: a finished run of the same config is reused as it
 * is, an interrupted one resumed; anything else there (a run of another config, or one stopped before its
 * first checkpoint) is replaced, never mixed with.
 */
export async function trainStudentRun(spec: RunSpec): Promise<TrainedStudentRun> {
  const config = studentRunConfig(spec);
  const student = studentFor(config, spec.manifest.classes.length);
  const studentInitDigest = await stateDigest(student);
  const folder = inspectRunFolder(spec.outDir, config);
  const sameConfig = folder.configChanges?.length === 0 && sameClips(spec.outDir, spec);
  const best = path.join(spec.outDir, 'checkpoints', 'best.ckpt');
  // a run that diverged would diverge at the same step again (all randomness is seeded): it is done too
  if ((folder.finished || folder.diverged) && sameConfig && fs.existsSync(best))
    return { reused: true, student, studentInitDigest, config, diverged: folder.diverged };
  const resume = folder.hasLatest && sameConfig;
  const experiment = buildExperiment(config, spec.outDir, {
    student,
    data: { manifest: spec.manifest, cacheDir: spec.cacheDir, frames: spec.student.frames, size: spec.student.size },
    featuresDirs: spec.audioFeaturesDir ? { audio: spec.audioFeaturesDir } : {},
    onlineTeachers: spec.imageTeacher ? { image: spec.imageTeacher } : {},
    augment: spec.augment ?? TRAIN_AUGMENT,
  });
  const trainer = new Trainer({
    ...experiment.trainer,
    outDir: spec.outDir,
    resume,
    force: !resume,
    onNotice: spec.notice,
    ...(spec.progress === null ? {} : { onEvent: progressBarListener(spec.progress ?? process.stderr) }),
    // the clip and the class list are recorded for `ccl export` (the config of a demo run names no data)
    runInfo: {
      method: spec.label ?? spec.method,
      studentInitDigest,
      clip: { frames: spec.student.frames, size: spec.student.size },
      augment: spec.augment ?? TRAIN_AUGMENT,
      classes: spec.manifest.classes,
      gitRevision: spec.gitRevision === undefined ? gitRevision() : spec.gitRevision,
    },
  });
  let diverged: RunFolderState['diverged'] = null;
  try {
    await trainer.fit();
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    diverged = e.at;
    if (!fs.existsSync(best)) throw new Error(`${spec.outDir}: the run diverged before its first checkpoint was chosen: ${e.message}`);
    spec.notice?.(`diverged${e.where}: ${e.reason}; its numbers are those of the checkpoint chosen on the held-out split before it`);
  } finally {
    trainer.dispose();
  }
  return { reused: false, student, studentInitDigest, config, diverged };
}

/** What trainStudentRun returns: the student (the caller disposes it) and whether the run was reused or diverged. */
export interface TrainedStudentRun {
  reused: boolean;
  student: Encoder;
  studentInitDigest: string;
  config: ExperimentConfig;
  /** Where the run diverged (RunFolderState's `diverged`), else null. */
  diverged: RunFolderState['diverged'];
}

/**
 * SHA-256 (first 16 hex digits) over the names, shapes and float32 bytes of a model's state dict: the same
 * digest means the same weights. The benchmark records the student's digest before training, so that a
 * paired comparison can check that every method of a seed started from the same student.
 */
export async function stateDigest(model: { stateDict(): Record<string, tf.Tensor> }): Promise<string> {
  const dict = model.stateDict();
  const hash = createHash('sha256');
  try {
    for (const name of Object.keys(dict).sort()) {
      const t = dict[name]!;
      hash.update(`${name}:${t.shape.join('x')};`);
      hash.update(new Uint8Array(Float32Array.from(await t.data()).buffer)); // async: WebGPU in Node has no sync readback
    }
  } finally {
    tf.dispose(Object.values(dict));
  }
  return hash.digest('hex').slice(0, 16);
}
