import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { OutputFolder } from '@ccl/base/node';
import { KINETICS_MEAN, KINETICS_STD } from '@ccl/data';
import { readManifest, resolveInside } from '@ccl/data/node';
import { loadCheckpoint, resolveExperimentConfig } from '@ccl/distill';
import { serializeSafetensors, type Encoder } from '@ccl/encoders';
import { studentFor } from '../build-experiment';

/** The file `exportStudent` writes beside the weights: what a web page needs to rebuild and feed the student. */
export const STUDENT_EXPORT_FILE = 'student.json';
export const STUDENT_EXPORT_FORMAT = 'ccl-student/1';

/**
 * The evaluation clip of a student, as `ccl eval` makes it (METHOD §6): non-overlapping sliding windows of
 * `frames` frames over the whole video (the last loop-padded), each frame resized with its short side to
 * `size` (Pillow bilinear), centre-cropped to size x size, then (v / 255 * valueScale - mean_c) / std_c.
 * The student sees `[B, frames, size, size, 3]` (channels last) and the video's softmax is the mean of its
 * windows' softmaxes.
 */
export interface StudentClipSpec {
  frames: number;
  size: number;
  mean: number[];
  std: number[];
  valueScale: number;
  /** Window start spacing in frames (= frames: non-overlapping). */
  stride: number;
}

/** student.json: everything besides the weights. */
export interface StudentExport {
  format: typeof STUDENT_EXPORT_FORMAT;
  /** @ccl/encoders registry name and options (createEncoder(encoder, options)). */
  encoder: string;
  options: Record<string, unknown>;
  /** The weights file in the same folder: safetensors, the student's state dict with its PyTorch names. */
  weights: string;
  /** Class names by logit index. */
  classes: string[];
  clip: StudentClipSpec;
  source: { run: string; checkpoint: string; method: string | null; architecture: string; epoch: number; globalStep: number };
}

export interface ExportStudentOptions {
  /** Checkpoint file in `<run>/checkpoints` (default best.ckpt). */
  checkpoint?: string;
  /**
   * Clip frames / size for a run folder that records none (a demo run made before runs recorded their clip);
   * one that differs from what the run records is refused.
   */
  frames?: number;
  size?: number;
  /**
   * Write into a non-empty folder that holds no export (default false: refused, naming what is there):
   * student.safetensors and student.json are replaced, nothing else is touched.
   */
  force?: boolean;
}

interface RunJson {
  config: unknown;
  /** The trainer's model identity, as its checkpoints record it. */
  architecture?: unknown;
  configFile?: string;
  method?: string;
  classes?: unknown;
  clip?: { frames?: unknown; size?: unknown };
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Class names of a run: its config's manifest, else run.json's `classes`, else its evaluation's. */
function classesOf(runDir: string, run: RunJson, manifestFile: string | null): string[] {
  if (manifestFile) return readManifest(manifestFile).classes;
  if (Array.isArray(run.classes) && run.classes.every((c) => typeof c === 'string')) return run.classes as string[];
  const recognition = path.join(runDir, 'eval', 'recognition.json');
  if (fs.existsSync(recognition)) {
    const names = (JSON.parse(fs.readFileSync(recognition, 'utf8')) as { classNames?: unknown }).classNames;
    if (Array.isArray(names) && names.every((c) => typeof c === 'string')) return names as string[];
  }
  throw new Error(`${path.join(runDir, 'run.json')}: names no class list (no data manifest, no "classes", no eval/recognition.json): run ccl eval first`);
}

/**
 * Checks that `tensors` are the weights of the run's student, as `ccl eval` does before it evaluates: they
 * load strictly into a fresh student of the run's architecture (every name, no other, every shape), and
 * every float is finite. Throws naming `source`; `tensors` stay the caller's.
 */
function checkStudentTensors(tensors: Record<string, tf.Tensor>, makeStudent: () => Encoder, source: string): void {
  const student = makeStudent();
  try {
    student.loadStateDict(tensors, { strict: true, source });
  } finally {
    student.dispose();
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32') continue;
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new Error(`${source}: the student's tensor '${name}' holds non-finite values (${values[i]} at index ${i})`);
    }
  }
}

/**
 * Writes what a web page needs to run a run's student into `outDir`: `student.safetensors` (the student's
 * tensors of the checkpoint, names without the `student.` prefix, F32 / I32) and `student.json`
 * (StudentExport: encoder and options, class names, clip spec, where it came from). Both are written
 * atomically, the weights first, into a folder that is new, empty or an earlier export (its record
 * `.ccl-output.json`), unless `force`. The checkpoint is checked as `ccl eval` checks it: of the model run.json
 * records, loading strictly into the run's student, with finite values; a mismatch writes nothing.
 */
export function exportStudent(runDir: string, outDir: string, options: ExportStudentOptions = {}): { files: string[]; spec: StudentExport } {
  const folder = OutputFolder.open(outDir, { writer: 'ccl export', force: options.force ?? false }); // refused before any work
  const runFile = path.join(runDir, 'run.json');
  if (!fs.existsSync(runFile)) throw new Error(`${runFile}: not found (is ${runDir} a run folder?)`);
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as RunJson;
  const config = resolveExperimentConfig(run.config, runFile);
  const manifestFile = config.data ? path.resolve(path.dirname(path.resolve(run.configFile ?? runFile)), config.data.manifest) : null;
  const recorded = { frames: config.data?.frames ?? positiveInt(run.clip?.frames), size: config.data?.size ?? positiveInt(run.clip?.size) };
  for (const key of ['frames', 'size'] as const) {
    if (recorded[key] !== undefined && options[key] !== undefined && options[key] !== recorded[key]) {
      throw new Error(`${runFile}: the run was trained on clips of ${key} ${recorded[key]}, not ${options[key]}`);
    }
  }
  const frames = recorded.frames ?? options.frames;
  const size = recorded.size ?? options.size;
  if (frames === undefined || size === undefined) {
    throw new Error(`${runFile}: records no clip frames and size (no "data" section, no "clip"): pass them (ccl export --frames N --size N)`);
  }
  const classes = classesOf(runDir, run, manifestFile);
  const numClasses = config.student.options.numClasses;
  if (numClasses !== undefined && numClasses !== classes.length) {
    throw new Error(`${runFile}: the student has ${String(numClasses)} classes but the run's class list has ${classes.length}`);
  }
  const checkpoint = options.checkpoint ?? 'best.ckpt';
  const ckptFile = resolveInside(path.join(runDir, 'checkpoints'), checkpoint);
  const ckpt = loadCheckpoint(ckptFile, {
    ...(typeof run.architecture === 'string' ? { architecture: run.architecture } : {}),
    only: (name) => name.startsWith('student.'),
  });
  const student: Record<string, tf.Tensor> = {};
  for (const name of Object.keys(ckpt.tensors).sort()) student[name.slice('student.'.length)] = ckpt.tensors[name]!;
  let bytes: Uint8Array;
  try {
    if (Object.keys(student).length === 0) throw new Error(`${ckptFile}: holds no student tensors (no 'student.' names)`);
    checkStudentTensors(student, () => studentFor(config, classes.length), ckptFile);
    bytes = serializeSafetensors(student, { floatDtype: 'F32', intDtype: 'I32', metadata: { format: 'pt', ccl: STUDENT_EXPORT_FORMAT } });
  } finally {
    tf.dispose(Object.values(ckpt.tensors));
  }
  const spec: StudentExport = {
    format: STUDENT_EXPORT_FORMAT,
    encoder: config.student.encoder,
    options: { ...config.student.options, numClasses: classes.length },
    weights: 'student.safetensors',
    classes,
    clip: { frames, size, mean: [...KINETICS_MEAN], std: [...KINETICS_STD], valueScale: 1, stride: frames },
    source: {
      run: path.resolve(runDir),
      checkpoint,
      method: run.method ?? config.method,
      architecture: ckpt.meta.architecture,
      epoch: ckpt.meta.epoch,
      globalStep: ckpt.meta.globalStep,
    },
  };
  const weightsFile = folder.write(spec.weights, bytes);
  const specFile = folder.write(STUDENT_EXPORT_FILE, `${JSON.stringify(spec, null, 2)}\n`);
  folder.finish();
  return { files: [weightsFile, specFile], spec };
}
