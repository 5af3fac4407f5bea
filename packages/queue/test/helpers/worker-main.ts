// A queue worker process for the tests: what `ccl worker` runs (startQueueWorker), one JSON line per event on
// stdout. Bundled from the sources by worker-process.ts. argv: URL CONCURRENCY LOCK_MS
import { pickBackend } from '@ccl/backends';
import { startQueueWorker } from '../../src';

async function main(): Promise<void> {
  const [url, concurrency, lockMs] = process.argv.slice(2);
  const worker = await startQueueWorker({
    queue: url!,
    concurrency: Number(concurrency),
    lockDurationMs: Number(lockMs),
    stalledIntervalMs: Math.max(200, Math.floor(Number(lockMs) / 2)),
    setupBackend: () => pickBackend({ force: 'cpu' }), // as the tests' own process, so features compare bit for bit
    onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
  });
  process.stdout.write(`${JSON.stringify({ kind: 'ready', pid: process.pid })}\n`);
  process.on('SIGTERM', () => {
    void worker.close().then(() => process.exit(0));
  });
}
main().catch((err) => {
  process.stderr.write(`worker: ${(err as Error).message}\n`);
  process.exit(1);
});
