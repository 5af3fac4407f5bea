/** What a worker tells about its jobs (`onEvent`; one line each in `ccl worker`). */
export type QueueWorkerEvent =
  | { kind: 'completed'; queue: string; jobId: string; result: unknown; ms: number }
  | { kind: 'failed'; queue: string; jobId: string; reason: string; willRetry: boolean }
  | { kind: 'error'; message: string };

/** A worker's log: one timestamped line per event (what `ccl worker` prints), with running counts. */
export interface WorkerLog {
  onEvent(event: QueueWorkerEvent): void;
  readonly done: number;
  readonly failed: number;
}

/** A {@link WorkerLog} writing its lines (newline-terminated) to `write`. */
export function workerLog(write: (line: string) => void, now: () => Date = () => new Date()): WorkerLog {
  let done = 0;
  let failed = 0;
  return {
    get done() {
      return done;
    },
    get failed() {
      return failed;
    },
    onEvent(e) {
      const at = now().toISOString();
      if (e.kind === 'completed') {
        done++;
        const r = e.result as { id?: string; status?: string; written?: number; reused?: number };
        const what = r.id !== undefined ? `${r.id} ${r.status}` : `${e.jobId} (${r.written} features written, ${r.reused} already there)`;
        write(`${at} done ${what} in ${e.ms} ms (${done} done, ${failed} failed)\n`);
      } else if (e.kind === 'failed') {
        failed++;
        write(`${at} failed ${e.jobId}${e.willRetry ? ' (will retry)' : ''}: ${e.reason}\n`);
      } else write(`${at} redis: ${e.message}\n`);
    },
  };
}
