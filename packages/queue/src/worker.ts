import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pickBackend } from '@ccl/backends';
import { closeMediaInfo, type ClipPrepareResult } from '@ccl/data/media';
import { allowedFolders } from './allowed-folders';
import { connectQueue, redactQueueUrl } from './connection';
import { FEATURES_QUEUE, processFeaturesJob, type FeaturesJobResult } from './features-jobs';
import { PREPARE_QUEUE, processPrepareJob } from './prepare-jobs';
import type { FeaturesJobData, PrepareJobData } from './job-data';
import type { QueueWorkerEvent } from './worker-log';
import { workerLog } from './worker-log';

export interface QueueWorkerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  /**
   * The folders this worker's jobs may read and write (`ccl worker --allow DIR`): the videos, the clip cache,
   * the features folder, the teacher weights. A job is untrusted input (anyone who can write to the Redis
   * can add one): a malformed job, or one naming a path outside these folders (symbolic links resolved),
   * fails at once with a reason `refused: ...` that names the path, and nothing is read or written.
   */
  allow: readonly string[];
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

/** How a worker stopped: after its jobs in flight finished, or without waiting for them (they go back to the queue when their locks expire). */
export type QueueWorkerStop = { forced: false } | { forced: true; why: 'redis unreachable' | 'timeout' | 'aborted'; unfinished: number };

/** A running worker. */
export interface QueueWorkerHandle {
  /** The real paths of its allowed folders. */
  allowed: readonly string[];
  /** Jobs it is running now. */
  readonly inFlight: number;
  /**
   * Stops taking jobs and lets the jobs in flight finish, then closes. It does not wait when Redis is
   * unreachable (then, or as soon as it becomes so: nothing could be recorded), after `timeoutMs` (default:
   * no limit), or once `signal` aborts: it drops its Redis connections and resolves, whatever Redis does.
   */
  close(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<QueueWorkerStop>;
}

/** `connection` and every client BullMQ duplicates from it (a worker's blocking connection): the clients a forced stop drops. */
function trackClients(connection: Redis): Redis[] {
  const clients = [connection];
  const duplicate = connection.duplicate.bind(connection);
  connection.duplicate = ((override?: Parameters<Redis['duplicate']>[0]) => {
    const client = duplicate(override);
    clients.push(client);
    return client;
  }) as Redis['duplicate'];
  return clients;
}

/** Resolves once `connection` is not connected (now, or later); `off` stops listening. */
function whenDisconnected(connection: Redis): { gone: Promise<void>; off: () => void } {
  let off = () => {};
  const gone = new Promise<void>((resolve) => {
    if (connection.status !== 'ready') return resolve();
    const done = () => resolve();
    connection.once('close', done);
    off = () => connection.off('close', done);
  });
  return { gone, off };
}

/**
 * Starts a worker that takes jobs from the ccl queues at `queue` (clip-cache preparation, {@link PREPARE_QUEUE},
 * `concurrency` at a time; teacher features, {@link FEATURES_QUEUE}, one at a time) until closed. Run any number of them, on any machines that reach Redis and the
 * shared clip cache. Jobs whose worker died are taken over (BullMQ's stalled-job detection; a job may
 * stall 3 times before it fails); a Redis restart is waited out (ioredis reconnects). Each job's data is
 * checked before anything is touched (see `allow`).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const allowed = allowedFolders(options.allow); // a bad --allow is refused before connecting
  const connection = await connectQueue(options.queue);
  const clients = trackClients(connection);
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
      return processPrepareJob(job, allowed);
    },
    { ...common, concurrency: Math.max(1, options.concurrency ?? 1) },
  );
  let backend: Promise<unknown> | null = null;
  const features = new Worker<FeaturesJobData, FeaturesJobResult>(
    FEATURES_QUEUE,
    async (job: Job<FeaturesJobData, FeaturesJobResult>) => {
      started.set(job.id!, Date.now());
      backend ??= (options.setupBackend ?? (() => pickBackend()))();
      await backend;
      return processFeaturesJob(job, allowed);
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
  let closing: Promise<QueueWorkerStop> | null = null;
  return {
    allowed: allowed.roots,
    get inFlight() {
      return started.size;
    },
    close: (closeOptions = {}) =>
      (closing ??= (async (): Promise<QueueWorkerStop> => {
        const graceful = Promise.all(workers.map((w) => w.close())).then(() => null);
        const disconnected = whenDisconnected(connection);
        let timer: NodeJS.Timeout | undefined;
        let onAbort = () => {};
        const why = await Promise.race([
          graceful,
          disconnected.gone.then(() => 'redis unreachable' as const),
          new Promise<'timeout'>((resolve) => {
            if (closeOptions.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), closeOptions.timeoutMs);
          }),
          new Promise<'aborted'>((resolve) => {
            onAbort = () => resolve('aborted');
            if (closeOptions.signal?.aborted) onAbort();
            else closeOptions.signal?.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
        clearTimeout(timer);
        disconnected.off();
        closeOptions.signal?.removeEventListener('abort', onAbort);
        const unfinished = started.size;
        // forced: drop every connection (their pending commands fail, so BullMQ's close goes on without Redis)
        if (why !== null) for (const client of clients) client.disconnect();
        await Promise.race([graceful, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        connection.disconnect();
        await closeMediaInfo();
        return why === null ? { forced: false } : { forced: true, why, unfinished };
      })()),
  };
}

/** Options of {@link runQueueWorkerUntilSignal}. */
export interface SignalledWorkerOptions extends QueueWorkerOptions {
  /** Where the worker's lines go (its start, each job's end, its stop): `ccl worker` passes stderr. */
  write?: (line: string) => void;
  /** How long the jobs in flight may take to finish after SIGINT or SIGTERM (default 20000 ms). */
  stopTimeoutMs?: number;
  /** Told once the worker listens for jobs. */
  onStarted?: () => void;
}

/** What {@link runQueueWorkerUntilSignal} did. */
export interface SignalledWorkerResult {
  done: number;
  failed: number;
  stop: QueueWorkerStop;
}

/**
 * Runs a worker ({@link startQueueWorker}) until this process gets SIGINT or SIGTERM (Ctrl-C, a Kubernetes
 * pod's or a Slurm job's stop), then stops it within a bound whatever Redis does: it stops taking jobs and
 * lets the jobs in flight finish for at most `stopTimeoutMs`, but not at all when Redis is unreachable
 * (nothing could be recorded) or on a second signal; jobs left unfinished go back to the queue when their
 * locks expire. Each step is one line through `write`.
 */
export async function runQueueWorkerUntilSignal(options: SignalledWorkerOptions): Promise<SignalledWorkerResult> {
  const write = options.write ?? (() => {});
  const log = workerLog(write);
  const worker = await startQueueWorker({
    ...options,
    onEvent: (e) => {
      log.onEvent(e);
      options.onEvent?.(e);
    },
  });
  const me = `worker ${process.pid}`;
  const stopTimeoutMs = options.stopTimeoutMs ?? 20000;
  const abort = new AbortController();
  const signalled = new Promise<void>((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first).off('SIGTERM', first).on('SIGINT', second).on('SIGTERM', second);
      write(`${me}: ${signal}: stopping after the ${worker.inFlight} job(s) in flight, within ${stopTimeoutMs / 1000} s (a second signal stops at once)\n`);
      resolve();
    };
    const second = () => abort.abort();
    process.on('SIGINT', first).on('SIGTERM', first);
    abort.signal.addEventListener('abort', () => process.off('SIGINT', second).off('SIGTERM', second), { once: true });
  });
  // said only once the handlers are in place: a SIGTERM sent on reading this line must reach them (said before,
  // a signal in between took the default action and killed the worker mid-way under load)
  write(
    `${me}: waiting for jobs on ${redactQueueUrl(options.queue)} (concurrency ${options.concurrency ?? 1}; jobs may read and write ${worker.allowed.join(', ')})\n`,
  );
  options.onStarted?.(); // the signals are ours from here
  await signalled;
  const stop = await worker.close({ timeoutMs: stopTimeoutMs, signal: abort.signal });
  abort.abort(); // removes the second-signal handlers
  const unfinished = stop.forced ? `; ${stop.unfinished} job(s) unfinished go back to the queue when their locks expire` : '';
  const why = !stop.forced
    ? 'after the jobs in flight'
    : stop.why === 'redis unreachable'
      ? 'at once: Redis is unreachable'
      : stop.why === 'timeout'
        ? `after ${stopTimeoutMs / 1000} s`
        : 'at once on a second signal';
  write(`${me}: stopped ${why}${unfinished}\n`);
  return { done: log.done, failed: log.failed, stop };
}
