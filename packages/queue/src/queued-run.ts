import type { JobsOptions, Queue } from 'bullmq';

/** One job of a run: its id (BullMQ dedupes on it) and data. */
export interface RunJob<D> {
  id: string;
  data: D;
}

export interface RunJobsOptions<D, R> {
  /** The job name (the run's key: `ccl queue status` and BullMQ's tools show it). */
  name: string;
  jobOptions: JobsOptions;
  /** How often the jobs' states are read (default 1000 ms). */
  pollMs?: number;
  /**
   * The result of a failed job that is final by nature (a bad video: `skipped`), or null for a failure that a
   * rerun may fix (disk full, ffmpeg missing): such jobs, found failed when the run starts, are retried.
   */
  resultOfFailure: (data: D, reason: string) => R | null;
  onProgress?: (event: { finished: number; failed: number; total: number }) => void;
  /**
   * How many times the run's unfinished jobs may be found gone from Redis (it lost its data: restarted
   * without persistence, flushed; or they were removed by hand) and added again before the run gives up
   * with an error (default 3). Adding a job again is safe: its work is idempotent.
   */
  maxLost?: number;
  /** Told when jobs were found gone and added again. */
  onLost?: (event: { jobs: number; times: number }) => void;
}

/** What a run's jobs ended with: results by job id, and the reasons of jobs that failed for good by job id. */
export interface RunJobsOutcome<R> {
  results: Map<string, R>;
  failures: Map<string, string>;
}

const ADD_CHUNK = 500;
const READ_CHUNK = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function inChunks<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/**
 * Adds a run's jobs (a job whose id is already in the queue, from an earlier invocation of the same run, is
 * kept as it is) and waits until every one has finished, reading their states every `pollMs`. Jobs that
 * failed for a reason `resultOfFailure` does not accept are retried once at the start (they failed in an
 * earlier invocation) and are final afterwards. Redis going away meanwhile is waited out (the client
 * reconnects and the commands wait); jobs found gone from it (it came back without its data) are added again,
 * at most `maxLost` times, then this throws naming the run.
 */
export async function runJobs<D, R>(queue: Queue<D, R>, jobs: readonly RunJob<D>[], options: RunJobsOptions<D, R>): Promise<RunJobsOutcome<R>> {
  const add = async (some: readonly RunJob<D>[]) => {
    for (let i = 0; i < some.length; i += ADD_CHUNK) {
      await queue.addBulk(
        some.slice(i, i + ADD_CHUNK).map((j) => ({ name: options.name, data: j.data, opts: { ...options.jobOptions, jobId: j.id } })) as Parameters<
          Queue<D, R>['addBulk']
        >[0],
      );
    }
  };
  await add(jobs);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const maxLost = options.maxLost ?? 3;
  let lostTimes = 0;
  const results = new Map<string, R>();
  const failures = new Map<string, string>();
  let pending = jobs.map((j) => j.id);
  for (let round = 0; ; round++) {
    const states = await inChunks(pending, READ_CHUNK, (id) => queue.getJobState(id));
    const lost = pending.filter((_, k) => states[k] === 'unknown');
    if (lost.length > 0) {
      if (++lostTimes > maxLost)
        throw new Error(
          `${lost.length} job(s) of run ${options.name} (first: ${lost[0]}) are gone from Redis (${lostTimes} times in this run): it lost its data (restarted without persistence? give it appendonly yes) or someone removed them; gave up after adding them again ${maxLost} times`,
        );
      await add(lost.map((id) => byId.get(id)!));
      options.onLost?.({ jobs: lost.length, times: lostTimes });
    }
    const finished = pending.filter((_, k) => states[k] === 'completed' || states[k] === 'failed');
    const found = await inChunks(finished, READ_CHUNK, (id) => queue.getJob(id));
    const settled = new Set<string>();
    for (const [k, job] of found.entries()) {
      const id = finished[k]!;
      if (!job) continue; // removed meanwhile (by hand): read again next round
      if (job.finishedOn && job.returnvalue !== null && job.returnvalue !== undefined && !job.failedReason) {
        results.set(id, job.returnvalue);
        settled.add(id);
      } else if (job.failedReason) {
        const final = options.resultOfFailure(job.data, job.failedReason);
        if (final !== null) results.set(id, final);
        else if (round === 0) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }); // failed in an earlier invocation
          continue;
        } else failures.set(id, job.failedReason);
        settled.add(id);
      }
    }
    pending = pending.filter((id) => !settled.has(id));
    options.onProgress?.({ finished: results.size, failed: failures.size, total: jobs.length });
    if (pending.length === 0) return { results, failures };
    await sleep(options.pollMs ?? 1000);
  }
}

/** Removes a finished run's jobs from the queue (its results have been collected). */
export async function removeJobs(queue: Queue, ids: readonly string[]): Promise<void> {
  await inChunks(ids, READ_CHUNK, (id) => queue.remove(id));
}
