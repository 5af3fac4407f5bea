import { Worker, type Job } from 'bullmq';
import { closeMediaInfo, type ClipPrepareResult } from '@ccl/data/media';
import { connectQueue } from './connection';
import { PREPARE_QUEUE, processPrepareJob, type PrepareJobData } from './prepare-jobs';

/** What a worker tells about its jobs (one line each in `ccl worker`). */
export type QueueWorkerEvent =
  | { kind: 'completed'; queue: string; jobId: string; result: unknown; ms: number }
  | { kind: 'failed'; queue: string; jobId: string; reason: string; willRetry: boolean }
  | { kind: 'error'; message: string };

export interface QueueWorkerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  /** Jobs run at once in this process (default 1; each decode is one ffmpeg process). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 30000 ms): a worker that dies mid-job (SIGKILL, a
   * lost machine) leaves its job to be taken by another worker within about this time plus `stalledIntervalMs`.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (default: half the lock duration). */
  stalledIntervalMs?: number;
  onEvent?: (event: QueueWorkerEvent) => void;
}

/** A running worker: {@link QueueWorkerHandle.close} finishes the jobs in flight and stops. */
export interface QueueWorkerHandle {
  close(): Promise<void>;
}

/**
 * Starts a worker that takes jobs from the ccl queues at `queue` (today: clip-cache preparation,
 * {@link PREPARE_QUEUE}) until closed. Run any number of them, on any machines that reach Redis and the
 * shared clip cache. Jobs whose worker died are taken over (BullMQ's stalled-job detection; a job may
 * stall 3 times before it fails); a Redis restart is waited out (ioredis reconnects).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const connection = await connectQueue(options.queue);
  const lockDuration = options.lockDurationMs ?? 30000;
  const emit = options.onEvent ?? (() => {});
  const started = new Map<string, number>();
  const worker = new Worker<PrepareJobData, ClipPrepareResult>(
    PREPARE_QUEUE,
    async (job: Job<PrepareJobData, ClipPrepareResult>) => {
      started.set(job.id!, Date.now());
      return processPrepareJob(job);
    },
    {
      connection,
      concurrency: Math.max(1, options.concurrency ?? 1),
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    },
  );
  worker.on('completed', (job, result) => {
    emit({ kind: 'completed', queue: PREPARE_QUEUE, jobId: job.id!, result, ms: Date.now() - (started.get(job.id!) ?? Date.now()) });
    started.delete(job.id!);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    started.delete(job.id!);
    const attempts = job.opts.attempts ?? 1;
    emit({
      kind: 'failed',
      queue: PREPARE_QUEUE,
      jobId: job.id!,
      reason: err.message,
      willRetry: err.name !== 'UnrecoverableError' && job.attemptsMade < attempts,
    });
  });
  worker.on('error', (err) => emit({ kind: 'error', message: err.message }));
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      connection.disconnect();
      await closeMediaInfo();
    },
  };
}
