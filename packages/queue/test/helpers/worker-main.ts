// A queue worker process for the tests: what `ccl worker` runs (runQueueWorkerUntilSignal, then the same
// exit), one JSON line per event on stdout, its log lines on stderr. Bundled from the sources by worker-process.ts.
// argv: URL CONCURRENCY LOCK_MS STOP_TIMEOUT_MS ALLOWED_DIR...
import { pickBackend } from '@ccl/backends';
import { runQueueWorkerUntilSignal } from '../../src';

async function main(): Promise<void> {
  const [url, concurrency, lockMs, stopMs, ...allow] = process.argv.slice(2);
  const result = await runQueueWorkerUntilSignal({
    queue: url!,
    allow,
    concurrency: Number(concurrency),
    lockDurationMs: Number(lockMs),
    stalledIntervalMs: Math.max(200, Math.floor(Number(lockMs) / 2)),
    stopTimeoutMs: Number(stopMs),
    setupBackend: () => pickBackend({ force: 'cpu' }), // as the tests' own process, so features compare bit for bit
    onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
    onStarted: () => process.stdout.write(`${JSON.stringify({ kind: 'ready', pid: process.pid })}\n`),
    write: (line) => process.stderr.write(line),
  });
  process.stdout.write(`${JSON.stringify({ kind: 'stopped', ...result })}\n`);
  // as `ccl worker`: after a stop that did not wait, what may still run here is abandoned; otherwise the
  // process must end by itself (nothing left holding it)
  if (result.stop.forced) process.exit(0);
}
main().catch((err) => {
  process.stderr.write(`worker: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
