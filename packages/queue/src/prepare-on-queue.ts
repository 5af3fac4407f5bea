import { Queue, type JobsOptions } from 'bullmq';
import { writeJsonAtomicSync } from '@ccl/base/node';
import { acquireFolderLock, type Manifest } from '@ccl/data';
import {
  assemblePrepareReport,
  clipPrepareTask,
  prepareReportPath,
  type ClipPrepareResult,
  type PrepareReport,
  type PrepareSettingsOptions,
} from '@ccl/data/media';
import { connectQueue } from './connection';
import { PREPARE_QUEUE, prepareJobId, prepareRunKey, resultOfFailedPrepareJob, type PrepareJobData } from './prepare-jobs';

export interface QueuedPrepareOptions extends PrepareSettingsOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  manifest: Manifest;
  /** The clip cache, on storage every worker reaches under the same path. */
  cacheDir: string;
  verifyExisting?: boolean;
  /** Tries per job for errors that are not the video's (default 5), with exponential backoff from `backoffMs` (default 2000). */
  attempts?: number;
  backoffMs?: number;
  /** How often the jobs' states are read (default 1000 ms). */
  pollMs?: number;
  /** Told after each poll: videos finished (done, cached or skipped), failed for other reasons, and the total. */
  onProgress?: (event: { finished: number; failed: number; total: number }) => void;
}

const ADD_CHUNK = 500;
const READ_CHUNK = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inChunks<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/**
 * `prepareClipCache` over a Redis job queue: one BullMQ job per video (id `<run>-<video id>`, so adding
 * a run twice adds nothing), done by `ccl worker` processes on any number of machines
 * ({@link startQueueWorker}). Waits until every job has finished, then writes `prepare-report.json` once,
 * assembled from the jobs' results by the same function as a local run (so the same inputs give the same
 * report), removes the run's jobs and returns the report. Bad videos are in the queue's failed set with the
 * reason and in the report's `skipped`; a job that failed for another reason after its retries (disk full,
 * ffmpeg missing) makes the report `aborted` with that error, and this rejects: a rerun retries those jobs
 * and keeps every finished one. Killing this process loses nothing either: a rerun finds the run's jobs.
 */
export async function prepareClipCacheOnQueue(options: QueuedPrepareOptions): Promise<PrepareReport> {
  const { manifest, cacheDir } = options;
  const release = acquireFolderLock(cacheDir, { what: 'prepareClipCacheOnQueue' });
  const connection = await connectQueue(options.queue).catch((err) => {
    release();
    throw err;
  });
  const queue = new Queue<PrepareJobData, ClipPrepareResult>(PREPARE_QUEUE, { connection });
  queue.on('error', () => {}); // a Redis restart: ioredis reconnects, the commands wait
  try {
    const run = prepareRunKey(cacheDir, options);
    const jobOptions: JobsOptions = {
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    };
    const ids = manifest.samples.map((s) => prepareJobId(run, s.id));
    const tasks = manifest.samples.map((s) => clipPrepareTask(manifest, s, { ...options, cacheDir }));
    for (let i = 0; i < tasks.length; i += ADD_CHUNK) {
      await queue.addBulk(tasks.slice(i, i + ADD_CHUNK).map((task, j) => ({ name: run, data: { run, task }, opts: { ...jobOptions, jobId: ids[i + j] } })));
    }
    const results = new Map<string, ClipPrepareResult>();
    const failures = new Map<string, string>();
    let pending = ids.map((_, i) => i); // indices into the manifest's samples
    for (let round = 0; ; round++) {
      const states = await inChunks(pending, READ_CHUNK, (i) => queue.getJobState(ids[i]!));
      const finished = pending.filter((_, k) => states[k] === 'completed' || states[k] === 'failed');
      const jobs = await inChunks(finished, READ_CHUNK, (i) => queue.getJob(ids[i]!));
      const settled = new Set<number>();
      for (const [k, job] of jobs.entries()) {
        const i = finished[k]!;
        const id = manifest.samples[i]!.id;
        if (!job) continue; // removed meanwhile (by hand): read again next round
        if (job.finishedOn && job.returnvalue) {
          results.set(id, job.returnvalue);
          settled.add(i);
        } else if (job.failedReason) {
          const skipped = resultOfFailedPrepareJob(job.data, job.failedReason);
          if (skipped) results.set(id, skipped);
          else if (round === 0) {
            await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }); // failed in an earlier run of this command: try again
            continue;
          } else failures.set(id, `${job.data.task.file || id}: ${job.failedReason}`);
          settled.add(i);
        }
      }
      pending = pending.filter((i) => !settled.has(i));
      options.onProgress?.({ finished: results.size, failed: failures.size, total: ids.length });
      if (pending.length === 0) break;
      await sleep(options.pollMs ?? 1000);
    }
    const firstFailure = manifest.samples.map((s) => failures.get(s.id)).find((f) => f !== undefined);
    const report = assemblePrepareReport(
      manifest,
      manifest.samples.map((s) => results.get(s.id)).filter((r): r is ClipPrepareResult => r !== undefined),
      firstFailure === undefined ? undefined : failures.size > 1 ? `${firstFailure} (and ${failures.size - 1} more failed jobs)` : firstFailure,
    );
    writeJsonAtomicSync(prepareReportPath(cacheDir), report);
    if (report.error !== undefined) throw new Error(report.error);
    await inChunks(ids, READ_CHUNK, (id) => queue.remove(id));
    return report;
  } finally {
    await queue.close();
    connection.disconnect();
    release();
  }
}
