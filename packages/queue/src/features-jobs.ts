import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import type { ManifestSample } from '@ccl/data';
import { createEncoder, type Encoder } from '@ccl/encoders';
import { extractTeacherFeatures, loadWeights, teacherInput } from '@ccl/experiments';

/** The BullMQ queue that holds teacher-feature extraction jobs (one job per batch of videos). */
export const FEATURES_QUEUE = 'ccl-features';

/** The teacher and its input, as `ccl features extract` takes them. */
export interface TeacherJobSpec {
  teacher: string;
  /** Encoder options (JSON). */
  options: Record<string, unknown>;
  /** A .safetensors file every worker reaches under this path. */
  weights?: string;
  frames: number;
  size: number;
  segmentSeconds?: number;
}

export interface FeaturesJobData {
  run: string;
  spec: TeacherJobSpec;
  cacheDir: string;
  outDir: string;
  samples: ManifestSample[];
}

/** What a features job did, by video id (the enqueuer turns the ids back into samples). */
export interface FeaturesJobResult {
  written: number;
  reused: number;
  noInput: string[];
  notCached: string[];
}

/** A features run's key: the same cache, output folder, teacher and batch size give the same key (and job ids). */
export function featuresRunKey(cacheDir: string, outDir: string, spec: TeacherJobSpec, batchSize: number): string {
  const key = JSON.stringify({ cacheDir: path.resolve(cacheDir), outDir: path.resolve(outDir), spec, batchSize });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A worker keeps the teachers it has built (building one and loading its weights is slow). */
const encoders = new Map<string, Encoder>();

function teacherOf(spec: TeacherJobSpec): Encoder {
  const key = JSON.stringify([spec.teacher, spec.options, spec.weights ?? null]);
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = createEncoder(spec.teacher, spec.options);
    if (spec.weights) loadWeights(encoder, spec.weights);
    encoders.set(key, encoder);
  }
  return encoder;
}

/**
 * Runs one features job: the same {@link extractTeacherFeatures} as a local `ccl features extract` over the
 * job's videos. Idempotent (files already there are kept; each .npy is written atomically). Errors are
 * thrown as they are: BullMQ retries the job with backoff. The tensor backend must be set up first.
 */
export async function processFeaturesJob(job: Job<FeaturesJobData, FeaturesJobResult>): Promise<FeaturesJobResult> {
  const { spec } = job.data;
  const encoder = teacherOf(spec);
  const r = await extractTeacherFeatures({
    samples: job.data.samples,
    cacheDir: job.data.cacheDir,
    encoder,
    outDir: job.data.outDir,
    input: teacherInput(encoder, spec.teacher, spec),
  });
  return { written: r.written, reused: r.reused, noInput: r.noInput.map((s) => s.id), notCached: r.notCached.map((s) => s.id) };
}
