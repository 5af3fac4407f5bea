import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import type { AllowedFolders } from './allowed-folders';
import { checkedPrepareJob, type PrepareJobData } from './job-data';
import { clipCacheState, prepareClip, type ClipPrepareResult, type PrepareSettingsOptions } from '@ccl/data/media';

/** The BullMQ queue that holds clip-cache preparation jobs (one job per video). */
export const PREPARE_QUEUE = 'ccl-prepare';

/** A failed job's reason starts with this when the video itself is bad (the job is not retried; the report lists it as skipped). */
export const MEDIA_ERROR_PREFIX = 'media error: ';

/**
 * A run's key: the same cache folder and transform settings give the same key, so enqueueing a run again
 * (after the enqueuing process died) finds its jobs instead of adding them twice.
 */
export function prepareRunKey(cacheDir: string, settings: PrepareSettingsOptions, probe = false): string {
  const key = JSON.stringify({
    cacheDir: path.resolve(cacheDir),
    shortSide: settings.shortSide ?? 240,
    audioSampleRate: settings.audioSampleRate ?? null,
    probe,
  });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The job id of one video of a run: `<run>-<video id>` (BullMQ dedupes on it; ':' is escaped, BullMQ refuses it in ids). */
export function prepareJobId(run: string, videoId: string): string {
  return `${run}-${videoId.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/**
 * Runs one preparation job: the same {@link prepareClip} as a local `prepare`. A bad video fails the job
 * at once with an UnrecoverableError whose reason is {@link MEDIA_ERROR_PREFIX} + the local run's skip
 * reason; an environment error (disk full, ffmpeg missing...) is thrown as it is, so BullMQ retries it with
 * backoff. Idempotent: a clip already cached with the same settings is not decoded again. The job's data is
 * checked first ({@link checkedPrepareJob}): a malformed job, or one whose video or cache is outside `allowed`,
 * fails at once (`refused: ...`) and nothing is read or written.
 */
export async function processPrepareJob(job: Job<PrepareJobData, ClipPrepareResult>, allowed: AllowedFolders): Promise<ClipPrepareResult> {
  const data = checkedPrepareJob(job.data, allowed);
  let before = data.before;
  if (before === undefined) {
    before = clipCacheState(data.task);
    await job.updateData({ ...data, before });
  }
  const result = await prepareClip(data.task, { before });
  if (result.status === 'skipped') throw new UnrecoverableError(`${MEDIA_ERROR_PREFIX}${result.reason ?? 'unknown'}`);
  return result;
}

/** The result record of a finished job: its return value, or `skipped` with the reason when the video was bad; null for a failure that is not the video's. */
export function resultOfFailedPrepareJob(data: PrepareJobData, failedReason: string): ClipPrepareResult | null {
  if (!failedReason.startsWith(MEDIA_ERROR_PREFIX)) return null;
  return { id: data.task.sample.id, status: 'skipped', file: data.task.file, reason: failedReason.slice(MEDIA_ERROR_PREFIX.length) };
}
