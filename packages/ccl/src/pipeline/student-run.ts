import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadEvalWindows, readFeaturesFolder, resolveInside, samplesOfSplit, type Manifest } from '@ccl/data';
import { clipCacheSource, inspectRunFolder, loadCheckpoint, resolveExperimentConfig, Trainer, type ExperimentConfig, type TrainableEncoder } from '@ccl/distill';
import { createEncoder, type Encoder } from '@ccl/encoders';
import { averageByGroup, evaluateRecognition, evaluateRetrieval, toReferenceValJson, aggregateVideoScores, writeRunEvaluation, type RecognitionResult, type RetrievalResult } from '@ccl/eval';

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
  progress?: NodeJS.WriteStream | null;
  /** Told when the run folder's policy acts (a stale lock, stray temporary files, a replaced run); default stderr. */
  notice?: (message: string) => void;
}

/** The student's encoder options, also recorded in run.json (so `ccl eval --run` rebuilds the same encoder). */
function studentOptions(numClasses: number, s: StudentSpec): Record<string, unknown> {
  return { numClasses, widthMultiplier: s.widthMultiplier, seed: s.seed };
}

export function createStudent(numClasses: number, s: StudentSpec): Encoder {
  return createEncoder('r2plus1d-18', studentOptions(numClasses, s));
}

/** The experiment config of a run of the demo or the benchmark (validated; the reference defaults filled in). */
export function studentRunConfig(spec: Omit<RunSpec, 'cacheDir' | 'progress' | 'notice'>): ExperimentConfig {
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
export async function trainStudentRun(spec: RunSpec): Promise<{ reused: boolean; student: Encoder; studentInitDigest: string }> {
  const numClasses = spec.manifest.classes.length;
  const student = createStudent(numClasses, spec.student);
  const studentInitDigest = stateDigest(student);
  const config = studentRunConfig(spec);
  const folder = inspectRunFolder(spec.outDir, config);
  const sameConfig = folder.configChanges?.length === 0;
  if (folder.finished && sameConfig && fs.existsSync(path.join(spec.outDir, 'checkpoints', 'best.ckpt'))) return { reused: true, student, studentInitDigest };
  const resume = folder.hasLatest && sameConfig;
  const features: Record<string, ReturnType<typeof readFeaturesFolder>> = {};
  if (spec.audioFeaturesDir) features.audio = readFeaturesFolder(spec.audioFeaturesDir, { dim: spec.teacherDim });
  const source = (split: 'train' | 'val') =>
    clipCacheSource({ manifest: spec.manifest, cacheDir: spec.cacheDir, split, frames: spec.student.frames, size: spec.student.size, features, augment: { scale: [0.5, 1] } });
  const trainer = new Trainer({
    config,
    student,
    numClasses,
    studentDim: student.featureDim,
    train: source('train'),
    validation: source('val'),
    onlineTeachers: spec.imageTeacher && spec.method !== 'baseline' ? { image: spec.imageTeacher } : undefined,
    outDir: spec.outDir,
    resume,
    force: !resume,
    onNotice: spec.notice,
    progress: spec.progress,
    runInfo: { method: spec.label ?? spec.method, studentInitDigest },
  });
  await trainer.fit();
  trainer.dispose();
  return { reused: false, student, studentInitDigest };
}

/**
 * SHA-256 (first 16 hex digits) over the names, shapes and float32 bytes of a model's state dict: the same
 * digest means the same weights. The benchmark records the student's digest before training, so that a
 * paired comparison can check that every method of a seed started from the same student.
 */
export function stateDigest(model: { stateDict(): Record<string, tf.Tensor> }): string {
  const dict = model.stateDict();
  const hash = createHash('sha256');
  try {
    for (const name of Object.keys(dict).sort()) {
      const t = dict[name]!;
      hash.update(`${name}:${t.shape.join('x')};`);
      hash.update(new Uint8Array(Float32Array.from(t.dataSync()).buffer));
    }
  } finally {
    tf.dispose(Object.values(dict));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Window logits and pooled features of every video of a split (sliding windows, centre crop). */
function windowOutputs(student: Encoder, manifest: Manifest, cacheDir: string, split: 'train' | 'test', s: Pick<StudentSpec, 'frames' | 'size'>) {
  const ids: string[] = [];
  const logits: number[][] = [];
  const features: number[][] = [];
  student.eval();
  for (const sample of samplesOfSplit(manifest, split)) {
    const windows = loadEvalWindows(cacheDir, sample.id, { protocol: 'sliding', frames: s.frames, size: s.size });
    for (let at = 0; at < windows.length; at += 8) {
      const chunk = windows.slice(at, at + 8);
      const out = tf.tidy(() => {
        const x = tf.tensor5d(Float32Array.from(chunk.flatMap((w) => Array.from(w.data))), [chunk.length, s.frames, s.size, s.size, 3]);
        const o = student.apply(x, { training: false });
        return [o.logits!.arraySync() as number[][], o.features.arraySync() as number[][]] as const;
      });
      for (let i = 0; i < chunk.length; i++) {
        ids.push(sample.id);
        logits.push(out[0][i]);
        features.push(out[1][i]);
      }
    }
  }
  return { ids, logits, features };
}

/**
 * Final test (METHOD §6) of a run's selected checkpoint (`best.ckpt`, chosen on the held-out split):
 * video-level top-1/top-5 with softmax averaged over all sliding windows, and retrieval of test videos
 * against the training videos by cosine similarity of window-averaged pooled features.
 */
export function evaluateStudentRun(
  runDir: string,
  manifest: Manifest,
  cacheDir: string,
  s: Pick<StudentSpec, 'frames' | 'size'>,
  makeStudent: () => Encoder = () => createStudent(manifest.classes.length, s as StudentSpec),
  checkpoint = 'best.ckpt',
): { recognition: RecognitionResult; retrieval: RetrievalResult } {
  const file = resolveInside(path.join(runDir, 'checkpoints'), checkpoint); // `ccl eval --checkpoint NAME` never reads outside the run
  for (const split of ['test', 'train'] as const) {
    if (samplesOfSplit(manifest, split).length === 0) {
      throw new Error(`${runDir}: the run's manifest has no ${split} split (no video with split '${split}'), so there is nothing ${split === 'test' ? 'to evaluate' : 'to retrieve'}`);
    }
  }
  const student = makeStudent();
  const ckpt = loadCheckpoint(file);
  const studentDict = Object.fromEntries(Object.entries(ckpt.tensors).filter(([k]) => k.startsWith('student.')).map(([k, v]) => [k.slice(8), v]));
  student.loadStateDict(studentDict, { strict: true, source: file });
  tf.dispose(Object.values(ckpt.tensors));
  const labelOf = new Map(manifest.classes.map((c, i) => [c, i]));
  const videoLabels = new Map(manifest.samples.map((x) => [x.id, labelOf.get(x.label)!]));
  const test = windowOutputs(student, manifest, cacheDir, 'test', s);
  const train = windowOutputs(student, manifest, cacheDir, 'train', s);
  const testLabels = new Map(samplesOfSplit(manifest, 'test').map((x) => [x.id, videoLabels.get(x.id)!]));
  const recognition = evaluateRecognition({ windowScores: test.logits, videoIds: test.ids, videoLabels: testLabels, classNames: manifest.classes, kind: 'logits' });
  const q = averageByGroup(test.features, test.ids); // window-averaged pooled features per video
  const g = averageByGroup(train.features, train.ids);
  const retrieval = evaluateRetrieval({ queries: q.features, queryLabels: q.ids.map((id) => videoLabels.get(id)!), gallery: g.features, galleryLabels: g.ids.map((id) => videoLabels.get(id)!) });
  const valJson = toReferenceValJson(aggregateVideoScores(test.logits, test.ids, 'logits'), manifest.classes);
  writeRunEvaluation(runDir, { recognition, retrieval, valJson });
  student.dispose();
  return { recognition, retrieval };
}
