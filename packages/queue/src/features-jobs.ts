import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import { featureFilePath } from '@ccl/data/node';
import type { Encoder } from '@ccl/encoders';
import type { AllowedFolders } from './allowed-folders';
import { checkedFeaturesJob, type FeaturesJobData } from './job-data';
import { extractTeacherFeatures, openFeatureTeacher, teacherInput, type FeatureTeacherSpec } from '@ccl/experiments';

/** The BullMQ queue that holds teacher-feature extraction jobs (one job per batch of videos). */
export const FEATURES_QUEUE = 'ccl-features';

/** What a features job did, by video id (the enqueuer turns the ids back into samples). */
export interface FeaturesJobResult {
  written: number;
  reused: number;
  noInput: string[];
  notCached: string[];
}

/** A features run's key: the same cache, output folder, teacher and batch size give the same key (and job ids). */
export function featuresRunKey(cacheDir: string, outDir: string, spec: FeatureTeacherSpec, batchSize: number): string {
  const key = JSON.stringify({ cacheDir: path.resolve(cacheDir), outDir: path.resolve(outDir), spec, batchSize });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A worker keeps the teachers it has built (building one and loading its weights is slow). */
const encoders = new Map<string, Encoder>();

function teacherOf(spec: FeatureTeacherSpec): Encoder {
  const key = JSON.stringify([spec.teacher, spec.options, spec.weights ?? null]);
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = openFeatureTeacher(spec);
    encoders.set(key, encoder);
  }
  return encoder;
}

/**
 * Runs one features job: the same {@link extractTeacherFeatures} as a local `ccl features extract`, one video
 * at a time with a turn of the event loop in between (so the worker's lock is renewed during a long job).
 * Idempotent (files already there are kept; each .npy is written atomically). The counts are relative to
 * what existed when the job's first attempt began, so a job taken over from a dead or stalled worker
 * reports what one uninterrupted run would have. Errors are thrown as they are: BullMQ retries the job
 * with backoff. The job's data is checked first ({@link checkedFeaturesJob}): a malformed job, or one that
 * names a cache, output folder or weights file outside `allowed`, fails at once (`refused: ...`). The tensor
 * backend must be set up first.
 */
export async function processFeaturesJob(job: Job<FeaturesJobData, FeaturesJobResult>, allowed: AllowedFolders): Promise<FeaturesJobResult> {
  const data = checkedFeaturesJob(job.data, allowed);
  const { spec, samples, outDir } = data;
  let existing = data.existing;
  if (existing === undefined) {
    existing = samples.filter((s) => fs.existsSync(featureFilePath(outDir, s.label, s.id))).map((s) => s.id);
    await job.updateData({ ...data, existing });
  }
  const encoder = teacherOf(spec);
  const input = teacherInput(encoder, spec.teacher, spec);
  const noInput: string[] = [];
  const notCached: string[] = [];
  for (const sample of samples) {
    const r = await extractTeacherFeatures({ samples: [sample], cacheDir: data.cacheDir, encoder, outDir, input });
    for (const s of r.noInput) noInput.push(s.id);
    for (const s of r.notCached) notCached.push(s.id);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const before = new Set(existing);
  const reused = samples.filter((s) => before.has(s.id)).length;
  const written = samples.filter((s) => !before.has(s.id) && fs.existsSync(featureFilePath(outDir, s.label, s.id))).length;
  return { written, reused, noInput, notCached };
}
