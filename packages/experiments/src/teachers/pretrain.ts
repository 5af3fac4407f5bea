import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { normalizeClip, resizeBilinearPil } from '@ccl/data';
import { toHost } from '@ccl/base';
import { decodeAudio, runFfmpeg, type TeacherSourceIndex } from '@ccl/data/media';
import { createEncoder, type Encoder } from '@ccl/encoders';
import { writeSafetensors } from '@ccl/encoders/node';
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

/** Decodes a still (PNG) to RGB with ffmpeg, resizes it (Pillow bilinear) and normalises it like the student's clips. */
async function loadStill(file: string, size: number): Promise<Float32Array> {
  const probe = await runFfmpeg(['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], `decode ${file}`);
  const side = Math.round(Math.sqrt(probe.length / 3));
  if (side * side * 3 !== probe.length) throw new Error(`${file}: expected a square RGB still, got ${probe.length} bytes`);
  const resized = resizeBilinearPil(new Uint8Array(probe), side, side, 3, size, size);
  return normalizeClip({ data: resized, t: 1, h: size, w: size, c: 3 }).data;
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

async function loadOrTrain(file: string, encoder: Encoder, train: () => Promise<number>): Promise<PretrainedTeacher> {
  const meta = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(meta)) {
    loadWeights(encoder, file).eval();
    return { encoder, sourceAccuracy: JSON.parse(fs.readFileSync(meta, 'utf8')).sourceAccuracy, reused: true };
  }
  const sourceAccuracy = await train();
  const dict = encoder.stateDict();
  await toHost(Object.values(dict)); // the safetensors writer reads synchronously
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeSafetensors(file, dict);
  tf.dispose(Object.values(dict));
  fs.writeFileSync(meta, `${JSON.stringify({ sourceAccuracy }, null, 2)}\n`);
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
  const encoder = createEncoder('resnet18', { numClasses: index.classes.length, widthMultiplier: spec.widthMultiplier, normalize: 'none', seed: spec.seed });
  if (encoder.featureDim !== spec.dim) throw new Error(`image teacher gives ${encoder.featureDim}-d features, ${spec.dim} needed`);
  const fresh = !(fs.existsSync(file) && fs.existsSync(`${file}.json`));
  const stills = fresh ? await Promise.all(index.items.map((it) => loadStill(path.join(dataDir, it.file), size))) : [];
  return loadOrTrain(file, encoder, () =>
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
  const encoder = createEncoder('cnn14', {
    numClasses: index.classes.length,
    widthMultiplier: spec.widthMultiplier,
    embeddingDim: Math.round(spec.dim / spec.widthMultiplier),
    sampleRate,
    windowSize: 512,
    hopSize: 160,
    fMax: sampleRate / 2,
    seed: spec.seed,
  });
  if (encoder.featureDim !== spec.dim) throw new Error(`audio teacher gives ${encoder.featureDim}-d features, ${spec.dim} needed`);
  const length = Math.round(sampleRate * seconds);
  const fresh = !(fs.existsSync(file) && fs.existsSync(`${file}.json`));
  const clips = fresh ? await Promise.all(index.items.map((it) => decodeAudio(path.join(dataDir, it.file), { sampleRate }))) : [];
  return loadOrTrain(file, encoder, () =>
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
