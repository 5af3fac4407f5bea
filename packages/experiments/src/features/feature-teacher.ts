import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManifestSample } from '@ccl/data';
import { readManifest } from '@ccl/data/node';
import { createEncoder, type Encoder } from '@ccl/encoders';
import { loadWeights, weightsEncoderSpec } from '../load-encoder';

/** A frozen teacher and its input, as `ccl features extract` takes them (and a queue job carries them). */
export interface FeatureTeacherSpec {
  /** A registered encoder name (cnn14, resnet18, resnet34, ...). */
  teacher: string;
  /** Encoder options (JSON). */
  options: Record<string, unknown>;
  /**
   * Weights with the PyTorch names: .safetensors, or a PyTorch checkpoint (.pth, converted in memory). On a
   * queue: a path every worker reaches.
   */
  weights?: string;
  /** Image teachers: evenly spaced frames per video and their input size. */
  frames: number;
  size: number;
  /** Audio teachers: one row per segment of this length (absent: the whole track). */
  segmentSeconds?: number;
}

/**
 * The spec with its teacher and options completed from its weights file when the file says what it is
 * (a teacher pre-trained by ccl, or imported with `ccl weights import --encoder`): `--teacher` may then be
 * left out, and `--options` only overrides the file's.
 */
export function resolveFeatureTeacher(spec: Omit<FeatureTeacherSpec, 'teacher'> & { teacher?: string }): FeatureTeacherSpec {
  const { encoder, options } = weightsEncoderSpec(spec.weights, { name: spec.teacher, options: spec.options }, '--teacher');
  return { ...spec, teacher: encoder, options };
}

/** The teacher `spec` names (resolveFeatureTeacher), with its weights loaded; a bad name or option is one line naming both. */
export function openFeatureTeacher(given: Omit<FeatureTeacherSpec, 'teacher'> & { teacher?: string }): Encoder {
  const spec = resolveFeatureTeacher(given);
  let encoder: Encoder;
  try {
    encoder = createEncoder(spec.teacher, spec.options);
  } catch (err) {
    throw new Error(`--teacher ${spec.teacher} --options ${JSON.stringify(spec.options)}: ${(err as Error).message}`);
  }
  if (spec.weights) loadWeights(encoder, spec.weights);
  return encoder;
}

/** The samples of shard `shard` of `count` (indices i with i mod count = shard) of a `ccl data prepare` folder, and its clip cache. */
export function preparedSamples(dataDir: string, shard = 0, count = 1): { samples: ManifestSample[]; cacheDir: string } {
  const manifestFile = path.join(dataDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile}: not found (run ccl data prepare first)`);
  const samples = readManifest(manifestFile).samples.filter((_, i) => i % count === shard);
  return { samples, cacheDir: path.join(dataDir, 'cache') };
}
