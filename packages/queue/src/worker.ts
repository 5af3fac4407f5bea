import { Worker, type Job } from 'bullmq';
import { pickBackend } from '@ccl/backends';
import { closeMediaInfo, type ClipPrepareResult } from '@ccl/data/media';
import { connectQueue } from './connection';
import { FEATURES_QUEUE, processFeaturesJob, type FeaturesJobData, type FeaturesJobResult } from './features-jobs';
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
  /** Sets up the tensor backend before the first features job (default: `pickBackend()` of @ccl/backends; `ccl worker` passes its --backend). */
  setupBackend?: () => Promise<unknown>;
}

/** A running worker: {@link QueueWorkerHandle.close} finishes the jobs in flight and stops. */
export interface QueueWorkerHandle {
  close(): Promise<void>;
}

/**
 * Starts a worker that takes jobs from the ccl queues at `queue` (clip-cache preparation, {@link PREPARE_QUEUE},
 * `concurrency` at a time; teacher features, {@link FEATURES_QUEUE}, one at a time) until closed. Run any number of them, on any machines that reach Redis and the
 * shared clip cache. Jobs whose worker died are taken over (BullMQ's stalled-job detection; a job may
 * stall 3 times before it fails); a Redis restart is waited out (ioredis reconnects).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const connection = await connectQueue(options.queue);
  const lockDuration = options.lockDurationMs ?? 30000;
  const emit = options.onEvent ?? (() => {});
  const started = new Map<string, number>();
  const common = {
    connection,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  };
  const prepare = new Worker<PrepareJobData, ClipPrepareResult>(
    PREPARE_QUEUE,
    async (job: Job<PrepareJobData, ClipPrepareResult>) => {
      started.set(job.id!, Date.now());
      return processPrepareJob(job);
    },
    { ...common, concurrency: Math.max(1, options.concurrency ?? 1) },
  );
  let backend: Promise<unknown> | null = null;
  const features = new Worker<FeaturesJobData, FeaturesJobResult>(
    FEATURES_QUEUE,
    async (job: Job<FeaturesJobData, FeaturesJobResult>) => {
      backend ??= (options.setupBackend ?? (() => pickBackend()))();
      await backend;
      started.set(job.id!, Date.now());
      return processFeaturesJob(job);
    },
    { ...common, concurrency: 1 }, // a teacher's forward pass holds the CPU: one job at a time
  );
  const workers = [prepare, features] as const;
  for (const [name, worker] of [
    [PREPARE_QUEUE, prepare],
    [FEATURES_QUEUE, features],
  ] as const) {
    (worker as Worker).on('completed', (job: Job, result: unknown) => {
      emit({ kind: 'completed', queue: name, jobId: job.id!, result, ms: Date.now() - (started.get(job.id!) ?? Date.now()) });
      started.delete(job.id!);
    });
    (worker as Worker).on('failed', (job: Job | undefined, err: Error) => {
      if (!job) return;
      started.delete(job.id!);
      const attempts = job.opts.attempts ?? 1;
      emit({ kind: 'failed', queue: name, jobId: job.id!, reason: err.message, willRetry: err.name !== 'UnrecoverableError' && job.attemptsMade < attempts });
    });
    (worker as Worker).on('error', (err: Error) => emit({ kind: 'error', message: err.message }));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
      await closeMediaInfo();
    },
  };
}

/** Options of {@link runQueueWorkerUntilSignal}. */
export interface SignalledWorkerOptions extends QueueWorkerOptions {
  /** Told once the worker listens for jobs. */
  onStarted?: () => void;
  /** Told when SIGINT or SIGTERM arrives, before the jobs in flight finish. */
  onStopping?: (signal: NodeJS.Signals) => void;
}

/**
 * Runs a worker ({@link startQueueWorker}) until this process gets SIGINT or SIGTERM (Ctrl-C, a Kubernetes
 * pod's or a Slurm job's stop), then lets the jobs in flight finish and closes it.
 */
export async function runQueueWorkerUntilSignal(options: SignalledWorkerOptions): Promise<void> {
  const worker = await startQueueWorker(options);
  options.onStarted?.();
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.onStopping?.(signal);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await worker.close();
}
