import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { KINETICS_MEAN, KINETICS_STD, normalizeClip, resizeBilinearPil } from '@ccl/data';
import { toHost } from '@ccl/base';
import { decodeAudio, runFfmpeg, type TeacherSourceIndex } from '@ccl/data/media';
import { createEncoder, encoderMetadata, ENCODER_METADATA_KEY, type Encoder, type EncoderSpec } from '@ccl/encoders';
import { readWeightsMetadata, writeSafetensors } from '@ccl/encoders/node';
import { fitLength } from '../features/teacher-inputs';
import { loadWeights } from '../load-encoder';
import { classifierAccuracy, trainClassifier } from './classifier';

export interface TeacherSpec {
  /** Feature size (must equal the student's for the contrastive terms). */
  dim: number;
  widthMultiplier: number;
  epochs: number;
  seed: number;
}

/** The statistics the image teacher's stills are normalised with: the student's clips' (Kinetics). */
const STILL_STATS = { mean: [...KINETICS_MEAN], std: [...KINETICS_STD] };

/** Decodes a still (PNG) to RGB with ffmpeg, resizes it (Pillow bilinear) and normalises it like the student's clips. */
async function loadStill(file: string, size: number): Promise<Float32Array> {
  const probe = await runFfmpeg(['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], `decode ${file}`);
  const side = Math.round(Math.sqrt(probe.length / 3));
  if (side * side * 3 !== probe.length) throw new Error(`${file}: expected a square RGB still, got ${probe.length} bytes`);
  const resized = resizeBilinearPil(new Uint8Array(probe), side, side, 3, size, size);
  return normalizeClip({ data: resized, t: 1, h: size, w: size, c: 3 }, STILL_STATS).data;
}

/**
 * The image teacher's encoder: a reduced ResNet-18 that takes stills normalised as the student's clips
 * (`inputStats`: the Kinetics statistics, so feature extraction feeds it what it was trained on).
 */
export function imageTeacherSpec(classes: number, spec: Pick<TeacherSpec, 'widthMultiplier' | 'seed'>): EncoderSpec {
  return {
    encoder: 'resnet18',
    options: { numClasses: classes, widthMultiplier: spec.widthMultiplier, normalize: 'none', inputStats: STILL_STATS, seed: spec.seed },
  };
}

/** The audio teacher's encoder: a reduced Cnn14 whose log-mel front end runs at the data's sample rate. */
export function audioTeacherSpec(classes: number, sampleRate: number, spec: Pick<TeacherSpec, 'dim' | 'widthMultiplier' | 'seed'>): EncoderSpec {
  return {
    encoder: 'cnn14',
    options: {
      numClasses: classes,
      widthMultiplier: spec.widthMultiplier,
      embeddingDim: Math.round(spec.dim / spec.widthMultiplier),
      sampleRate,
      windowSize: 512,
      hopSize: 160,
      fMax: sampleRate / 2,
      seed: spec.seed,
    },
  };
}

/** Every 4th item is held out to report the teacher's source-task accuracy. */
function splitItems<T>(items: T[]): { train: T[]; test: T[] } {
  return { train: items.filter((_, i) => i % 4 !== 3), test: items.filter((_, i) => i % 4 === 3) };
}

export interface PretrainedTeacher {
  encoder: Encoder;
  /** Held-out accuracy on the teacher's own source task (appearance or sound labels). */
  sourceAccuracy: number;
  reused: boolean;
}

/**
 * Writes a teacher's weights to `file` with what it is in the file's metadata (`ccl.encoder`, `ccl.options`:
 * `ccl features extract --weights FILE` and an experiment teacher's `weights` need nothing else) and the
 * sidecar `FILE.json` { sourceAccuracy, encoder, options }.
 */
export async function saveTeacher(file: string, encoder: Encoder, spec: EncoderSpec, sourceAccuracy: number): Promise<void> {
  const dict = encoder.stateDict();
  try {
    await toHost(Object.values(dict)); // the safetensors writer reads synchronously
    writeSafetensors(file, dict, { metadata: { format: 'pt', ...encoderMetadata(spec) } });
  } finally {
    tf.dispose(Object.values(dict));
  }
  fs.writeFileSync(`${file}.json`, `${JSON.stringify({ sourceAccuracy, ...spec }, null, 2)}\n`);
}

/** `spec`'s encoder, refused unless it gives `dim`-d features. */
function teacherEncoder(spec: EncoderSpec, dim: number, what: string): Encoder {
  const encoder = createEncoder(spec.encoder, spec.options);
  if (encoder.featureDim !== dim) {
    encoder.dispose();
    throw new Error(`${what} gives ${encoder.featureDim}-d features, ${dim} needed`);
  }
  return encoder;
}

async function loadOrTrain(file: string, encoder: Encoder, spec: EncoderSpec, train: () => Promise<number>): Promise<PretrainedTeacher> {
  const meta = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(meta)) {
    loadWeights(encoder, file).eval();
    const { sourceAccuracy } = JSON.parse(fs.readFileSync(meta, 'utf8')) as { sourceAccuracy: number };
    if (readWeightsMetadata(file)[ENCODER_METADATA_KEY] === undefined) await saveTeacher(file, encoder, spec, sourceAccuracy); // written before files said what they are
    return { encoder, sourceAccuracy, reused: true };
  }
  const sourceAccuracy = await train();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await saveTeacher(file, encoder, spec, sourceAccuracy);
  return { encoder, sourceAccuracy, reused: false };
}

/**
 * The image teacher: a ResNet-18 (reduced width) trained to classify still frames by APPEARANCE (shape and
 * colour), a label space different from the video classes (appearance x motion).
 */
export async function pretrainImageTeacher(
  dataDir: string,
  index: TeacherSourceIndex,
  size: number,
  spec: TeacherSpec,
  file: string,
): Promise<PretrainedTeacher> {
  const teacher = imageTeacherSpec(index.classes.length, spec);
  const encoder = teacherEncoder(teacher, spec.dim, 'image teacher');
  const fresh = !(fs.existsSync(file) && fs.existsSync(`${file}.json`));
  const stills = fresh ? await Promise.all(index.items.map((it) => loadStill(path.join(dataDir, it.file), size))) : [];
  return loadOrTrain(file, encoder, teacher, () =>
    trainOnSourceItems(
      encoder,
      index.items.map((it, i) => ({ x: stills[i]!, y: it.labelIndex })),
      (xs) => tf.tensor4d(Float32Array.from(xs.flatMap((s) => Array.from(s.x))), [xs.length, size, size, 3]), // [N, H, W, 3]
      spec,
    ),
  );
}

/**
 * The audio teacher: a Cnn14 (reduced width, its log-mel front end at the data's sample rate) trained to
 * classify sound clips by SOUND, not by video class.
 */
export async function pretrainAudioTeacher(
  dataDir: string,
  index: TeacherSourceIndex,
  sampleRate: number,
  seconds: number,
  spec: TeacherSpec,
  file: string,
): Promise<PretrainedTeacher> {
  const teacher = audioTeacherSpec(index.classes.length, sampleRate, spec);
  const encoder = teacherEncoder(teacher, spec.dim, 'audio teacher');
  const length = Math.round(sampleRate * seconds);
  const fresh = !(fs.existsSync(file) && fs.existsSync(`${file}.json`));
  const clips = fresh ? await Promise.all(index.items.map((it) => decodeAudio(path.join(dataDir, it.file), { sampleRate }))) : [];
  return loadOrTrain(file, encoder, teacher, () =>
    trainOnSourceItems(
      encoder,
      index.items.map((it, i) => ({ x: fitLength(clips[i]!, length), y: it.labelIndex })),
      (xs) => tf.tensor2d(Float32Array.from(xs.flatMap((s) => Array.from(s.x))), [xs.length, length]), // [N, samples]
      spec,
    ),
  );
}

/** Trains a teacher on its labelled source items (the split of splitItems) and returns its held-out accuracy. */
async function trainOnSourceItems<X>(
  encoder: Encoder,
  items: { x: X; y: number }[],
  stack: (xs: { x: X; y: number }[]) => tf.Tensor,
  spec: TeacherSpec,
): Promise<number> {
  const { train, test } = splitItems(items);
  const [xTrain, xTest] = [stack(train), stack(test)];
  await trainClassifier(
    encoder,
    xTrain,
    train.map((s) => s.y),
    { epochs: spec.epochs, batchSize: 16, lr: 0.05, seed: spec.seed },
  );
  const acc = await classifierAccuracy(
    encoder,
    xTest,
    test.map((s) => s.y),
  );
  tf.dispose([xTrain, xTest]);
  return acc;
}
