import * as path from 'node:path';
import { Queue, type JobsOptions } from 'bullmq';
import { writeJsonAtomicSync } from '@ccl/base/node';
import type { Manifest } from '@ccl/data';
import { acquireFolderLock } from '@ccl/data/node';
import {
  assemblePrepareReport,
  clipPrepareTask,
  manifestWithProbes,
  prepareReportPath,
  removeStaleClipTemps,
  type ClipPrepareResult,
  type PrepareReport,
  type PrepareSettingsOptions,
} from '@ccl/data/media';
import { connectQueue } from './connection';
import { removeJobs, runJobs } from './queued-run';
import type { PrepareJobData } from './job-data';
import { PREPARE_QUEUE, prepareJobId, prepareRunKey, resultOfFailedPrepareJob } from './prepare-jobs';

export interface QueuedPrepareOptions extends PrepareSettingsOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  manifest: Manifest;
  /** The clip cache, on storage every worker reaches under the same path. */
  cacheDir: string;
  verifyExisting?: boolean;
  /**
   * The workers probe the videos (each job returns its probe) instead of the caller having probed them all
   * first with `probeManifest`: the probing spreads over the workers. `onProbedManifest` then gets
   * `manifest` with the probes, the same as `probeManifest` gives for the videos that were cached.
   */
  probeOnWorkers?: boolean;
  onProbedManifest?: (manifest: Manifest) => void;
  /** Tries per job for errors that are not the video's (default 5), with exponential backoff from `backoffMs` (default 2000). */
  attempts?: number;
  backoffMs?: number;
  /** How often the jobs' states are read (default 1000 ms). */
  pollMs?: number;
  /** Told after each poll: videos finished (done, cached or skipped), failed for other reasons, and the total. */
  onProgress?: (event: { finished: number; failed: number; total: number }) => void;
  /** How many times jobs found gone from Redis (it lost its data) are added again before this gives up (default 3; see {@link runJobs}). */
  maxLost?: number;
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
    const run = prepareRunKey(cacheDir, options, options.probeOnWorkers === true);
    const jobOptions: JobsOptions = {
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    };
    const ids = manifest.samples.map((s) => prepareJobId(run, s.id));
    const jobs = manifest.samples.map((s, i) => ({
      id: ids[i]!,
      data: { run, task: clipPrepareTask(manifest, s, { ...options, cacheDir: path.resolve(cacheDir), probe: options.probeOnWorkers === true }) },
    }));
    const relative = jobs.find((j) => j.data.task.file !== '' && !path.isAbsolute(j.data.task.file));
    if (relative)
      throw new Error(
        `manifest '${manifest.dataset}': video '${relative.data.task.file}' is a relative path (root '${manifest.root ?? ''}'): workers in other folders or on other machines cannot find it; give the manifest an absolute root`,
      );
    const { results, failures } = await runJobs(queue, jobs, {
      name: run,
      jobOptions,
      pollMs: options.pollMs,
      resultOfFailure: resultOfFailedPrepareJob,
      onProgress: options.onProgress,
      maxLost: options.maxLost,
    });
    const failed = jobs.filter((j) => failures.has(j.id)).map((j) => `${j.data.task.file || j.data.task.sample.id}: ${failures.get(j.id)}`);
    const report = assemblePrepareReport(
      manifest,
      ids.map((id) => results.get(id)).filter((r): r is ClipPrepareResult => r !== undefined),
      failed.length === 0 ? undefined : failed.length > 1 ? `${failed[0]} (and ${failed.length - 1} more failed jobs)` : failed[0],
    );
    // every job of this run has finished and the cache folder is ours (locked): what killed workers left is stale
    if (report.error === undefined) removeStaleClipTemps(cacheDir);
    if (options.probeOnWorkers) options.onProbedManifest?.(manifestWithProbes(manifest, results.values()));
    writeJsonAtomicSync(prepareReportPath(cacheDir), report);
    if (report.error !== undefined) throw new Error(report.error);
    await removeJobs(queue, ids);
    return report;
  } finally {
    await queue.close();
    connection.disconnect();
    release();
  }
}
