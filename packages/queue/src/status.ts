import { Queue } from 'bullmq';
import { connectQueue } from './connection';
import { FEATURES_QUEUE } from './features-jobs';
import { PREPARE_QUEUE } from './prepare-jobs';

/** The state of one ccl queue. */
export interface QueueStatus {
  queue: string;
  waiting: number;
  /** Waiting out a retry's backoff. */
  delayed: number;
  active: number;
  /** Finished and not yet collected by the `prepare --queue` that added them. */
  done: number;
  failed: number;
  /** Jobs finished per second over the last `windowS` seconds (from the finished jobs' times). */
  perSecond: number;
  windowS: number;
  /** Workers connected to the queue. */
  workers: number;
}

/** Counts of the ccl queues at `url` (waiting, active, done, failed) and their recent throughput. */
export async function queueStatus(url: string, options: { windowS?: number } = {}): Promise<QueueStatus[]> {
  const connection = await connectQueue(url);
  const windowS = options.windowS ?? 60;
  const out: QueueStatus[] = [];
  try {
    for (const name of [PREPARE_QUEUE, FEATURES_QUEUE]) {
      const queue = new Queue(name, { connection });
      try {
        const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
        const since = Date.now() - windowS * 1000;
        const recent = await queue.getJobs(['completed', 'failed'], 0, 4999, false);
        const finished = recent.filter((j) => (j.finishedOn ?? 0) >= since).length;
        out.push({
          queue: name,
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          delayed: c.delayed ?? 0,
          active: c.active ?? 0,
          done: c.completed ?? 0,
          failed: c.failed ?? 0,
          perSecond: finished / windowS,
          windowS,
          workers: (await queue.getWorkers()).length,
        });
      } finally {
        await queue.close();
      }
    }
  } finally {
    connection.disconnect();
  }
  return out;
}

/** One line per queue: `ccl-prepare: 12 waiting, 2 active, 30 done, 1 failed; 0.50 jobs/s over 60 s; 2 workers`. */
export function formatQueueStatus(status: QueueStatus[]): string {
  return status
    .map(
      (s) =>
        `${s.queue}: ${s.waiting} waiting${s.delayed ? ` (+${s.delayed} delayed for a retry)` : ''}, ${s.active} active, ${s.done} done, ${s.failed} failed; ` +
        `${s.perSecond.toFixed(2)} jobs/s over the last ${s.windowS} s; ${s.workers} worker connection(s)`,
    )
    .join('\n');
}
