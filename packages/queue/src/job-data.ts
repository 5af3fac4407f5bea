import * as path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { SPLIT_NAMES, type ManifestProbe, type ManifestSample, type SplitName } from '@ccl/data';
import { clipPath, featureFilePath } from '@ccl/data/node';
import type { ClipCacheState, ClipPrepareTask } from '@ccl/data/media';
import type { FeatureTeacherSpec } from '@ccl/experiments';
import { REFUSED_PREFIX, type AllowedFolders } from './allowed-folders';

// The schemas of the two kinds of job. A worker checks each job's data against them before it touches
// anything: the data comes from whoever can write to the queue's Redis, not necessarily from `ccl`.

const absolutePath = z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const probe = z.looseObject({
  durationS: finite,
  fps: finite,
  frameCount: finite,
  width: finite,
  height: finite,
  videoCodec: z.string(),
  hasAudio: z.boolean(),
  audioCodec: z.string().optional(),
  sampleRate: finite.optional(),
  frameRateMode: z.string().optional(),
}) satisfies z.ZodType<ManifestProbe>;

const sample = z.looseObject({
  id: z.string().min(1),
  label: z.string(),
  split: z.enum(SPLIT_NAMES as [SplitName, ...SplitName[]]),
  video: z.string().optional(),
  segment: z.tuple([finite.min(0), finite]).optional(),
  group: z.number().int().min(1).optional(),
  teacher: z.record(z.string(), z.string()).optional(),
  probe: probe.optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
}) satisfies z.ZodType<ManifestSample>;

const prepareJob = z.strictObject({
  run: z.string().min(1),
  task: z.strictObject({
    cacheDir: absolutePath,
    sample,
    file: z.union([absolutePath, z.literal('')]),
    settings: z.strictObject({
      shortSide: z.number().int().min(1).nullable(),
      audioSampleRate: z.number().int().min(1).nullable(),
      segment: z.tuple([finite.min(0), finite]).nullable(),
    }),
    verifyExisting: z.boolean().optional(),
    probe: z.boolean().optional(),
  }),
  before: z.enum(['reuse', 'stale', 'missing']).optional(),
}) satisfies z.ZodType<PrepareJobData>;

const featuresJob = z.strictObject({
  run: z.string().min(1),
  spec: z.strictObject({
    teacher: z.string().min(1),
    options: z.record(z.string(), z.unknown()),
    weights: absolutePath.optional(),
    frames: z.number().int().min(1),
    size: z.number().int().min(1),
    segmentSeconds: finite.positive().optional(),
  }),
  cacheDir: absolutePath,
  outDir: absolutePath,
  samples: z.array(sample).min(1),
  existing: z.array(z.string()).optional(),
}) satisfies z.ZodType<FeaturesJobData>;

function parse<T>(schema: z.ZodType<T>, data: unknown, kind: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(data)'}: ${i.message}`);
  const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
  throw new UnrecoverableError(`${REFUSED_PREFIX}not a ${kind} job: ${issues.join('; ')}${more}`);
}

/** What one preparation job carries: the video's task, and the cache's state when the first attempt began. */
export interface PrepareJobData {
  /** The run it belongs to ({@link prepareRunKey}). */
  run: string;
  task: ClipPrepareTask;
  /** Written by the first attempt before it decodes, so a retry after a killed worker reports what that attempt would have. */
  before?: ClipCacheState;
}

/** What one feature-extraction job carries: a batch of videos and the teacher that extracts their features. */
export interface FeaturesJobData {
  run: string;
  spec: FeatureTeacherSpec;
  cacheDir: string;
  outDir: string;
  samples: ManifestSample[];
  /** Written by the first attempt before it runs: the videos whose feature file was already there (so a retry after a killed worker counts as that attempt would have). */
  existing?: string[];
}

/** Where a computed path leaves its folder (a bad id or class name), the job is refused as a bad job. */
function pathOf(compute: () => string, what: string): string {
  try {
    return compute();
  } catch (err) {
    throw new UnrecoverableError(`${REFUSED_PREFIX}${what}: ${(err as Error).message}`);
  }
}

/**
 * A preparation job's data, checked: its shape (else the job is refused, naming the fields), and every
 * path it makes the worker read (the video) or write (the clip in the cache) inside `allowed`.
 */
export function checkedPrepareJob(data: unknown, allowed: AllowedFolders): PrepareJobData {
  const job = parse(prepareJob, data, 'clip preparation');
  const { task } = job;
  allowed.check(task.cacheDir, 'clip cache');
  allowed.check(
    pathOf(() => clipPath(task.cacheDir, task.sample.id), `video id '${task.sample.id}'`),
    'clip',
  );
  if (task.file !== '') allowed.check(task.file, 'video');
  return job;
}

/**
 * A features job's data, checked: its shape, and the clip cache it reads, the teacher weights it loads and
 * every feature file it writes inside `allowed`.
 */
export function checkedFeaturesJob(data: unknown, allowed: AllowedFolders): FeaturesJobData {
  const job = parse(featuresJob, data, 'teacher features');
  allowed.check(job.cacheDir, 'clip cache');
  allowed.check(job.outDir, 'features folder');
  if (job.spec.weights !== undefined) allowed.check(job.spec.weights, 'teacher weights');
  for (const s of job.samples) {
    allowed.check(
      pathOf(() => clipPath(job.cacheDir, s.id), `video id '${s.id}'`),
      'clip',
    );
    allowed.check(
      pathOf(() => featureFilePath(job.outDir, s.label, s.id), `video '${s.id}' of class '${s.label}'`),
      'feature file',
    );
  }
  return job;
}
