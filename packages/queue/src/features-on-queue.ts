import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { ManifestSample } from '@ccl/data';
import type { FeatureTeacherSpec, TeacherFeatureReport } from '@ccl/experiments';
import { connectQueue } from './connection';
import type { FeaturesJobData } from './job-data';
import { FEATURES_QUEUE, featuresRunKey, type FeaturesJobResult } from './features-jobs';
import { removeJobs, runJobs } from './queued-run';

export interface QueuedFeaturesOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  samples: readonly ManifestSample[];
  cacheDir: string;
  outDir: string;
  spec: FeatureTeacherSpec;
  /** Videos per job (default 8). The worker's lock is renewed between videos: keep one video's forward pass shorter than the lock. */
  batchSize?: number;
  attempts?: number;
  backoffMs?: number;
  pollMs?: number;
  onProgress?: (event: { finished: number; failed: number; total: number }) => void;
  /** How many times jobs found gone from Redis (it lost its data) are added again before this gives up (default 3; see {@link runJobs}). */
  maxLost?: number;
}

/**
 * `extractTeacherFeatures` over a Redis job queue: one job per `batchSize` videos, done by `ccl worker`s.
 * Waits for every job, then returns the same report a local run gives (its lists in the samples' order)
 * and removes the run's jobs. A job that still fails after its retries makes this reject, naming it; a
 * rerun retries it and keeps the files already written.
 */
export async function extractTeacherFeaturesOnQueue(options: QueuedFeaturesOptions): Promise<TeacherFeatureReport> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize}: expected an integer >= 1`);
  const connection = await connectQueue(options.queue);
  const queue = new Queue<FeaturesJobData, FeaturesJobResult>(FEATURES_QUEUE, { connection });
  queue.on('error', () => {}); // a Redis restart: ioredis reconnects, the commands wait
  try {
    const run = featuresRunKey(options.cacheDir, options.outDir, options.spec, batchSize);
    const jobs = [];
    for (let i = 0; i < options.samples.length; i += batchSize) {
      const samples = options.samples.slice(i, i + batchSize);
      jobs.push({
        id: `${run}-${i}`,
        data: { run, spec: options.spec, cacheDir: path.resolve(options.cacheDir), outDir: path.resolve(options.outDir), samples },
      });
    }
    const { results, failures } = await runJobs(queue, jobs, {
      name: run,
      jobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 2000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
      pollMs: options.pollMs,
      resultOfFailure: () => null,
      onProgress: options.onProgress,
      maxLost: options.maxLost,
    });
    if (failures.size) {
      const [id, reason] = [...failures][0]!;
      throw new Error(`features job ${id} failed: ${reason}${failures.size > 1 ? ` (and ${failures.size - 1} more failed jobs)` : ''}; run again to retry`);
    }
    const report: TeacherFeatureReport = { written: 0, reused: 0, noInput: [], notCached: [] };
    const noInput = new Set<string>();
    const notCached = new Set<string>();
    for (const j of jobs) {
      const r = results.get(j.id)!;
      report.written += r.written;
      report.reused += r.reused;
      for (const id of r.noInput) noInput.add(id);
      for (const id of r.notCached) notCached.add(id);
    }
    report.noInput = options.samples.filter((s) => noInput.has(s.id));
    report.notCached = options.samples.filter((s) => notCached.has(s.id));
    await removeJobs(
      queue,
      jobs.map((j) => j.id),
    );
    return report;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
