import type { Command } from 'commander';
import { formatQueueStatus, parseQueueUrl, queueStatus, runQueueWorkerUntilSignal, workerLog } from '@ccl/queue';
import { parsePositiveInt } from '../cli-options';

/** `ccl worker` (runs queue jobs until stopped) and `ccl queue status` (counts and throughput); @ccl/queue does the work. */
export function registerQueueCommands(program: Command, useBackend: (force?: string) => Promise<unknown>): void {
  program
    .command('worker')
    .description(
      'run jobs of `ccl data prepare --queue` and `ccl features extract --queue` from a Redis queue until stopped (Ctrl-C / SIGTERM finishes the jobs in flight); run one per machine',
    )
    .requiredOption('--queue <url>', 'redis://HOST:PORT[/DB]')
    .option('--concurrency <n>', 'jobs at once in this process (each decode is one ffmpeg process)', parsePositiveInt, 1)
    .option('--lock-ms <ms>', "a job's lock: a worker that dies mid-job leaves its job to another one after about this long", parsePositiveInt, 30000)
    .option('--backend <name>', 'tensor backend for features jobs')
    .action(async (opts: { queue: string; concurrency: number; lockMs: number; backend?: string }) => {
      parseQueueUrl(opts.queue);
      const log = workerLog((line) => process.stderr.write(line));
      await runQueueWorkerUntilSignal({
        queue: opts.queue,
        concurrency: Number(opts.concurrency),
        lockDurationMs: Number(opts.lockMs),
        setupBackend: () => useBackend(opts.backend),
        onEvent: log.onEvent,
        onStarted: () => process.stderr.write(`worker ${process.pid}: waiting for jobs on ${opts.queue} (concurrency ${opts.concurrency})\n`),
        onStopping: () => process.stderr.write(`worker ${process.pid}: stopping after the jobs in flight\n`),
      });
      process.stdout.write(`${log.done} jobs done, ${log.failed} failed\n`);
    });

  const queue = program.command('queue').description('the Redis job queues of `ccl data prepare --queue` and `ccl features extract --queue`');
  queue
    .command('status')
    .description('jobs waiting, active, done and failed, and the recent throughput')
    .requiredOption('--queue <url>', 'redis://HOST:PORT[/DB]')
    .option('--window <s>', 'throughput over the last this many seconds', parsePositiveInt, 60)
    .option('--json', 'print JSON')
    .action(async (opts: { queue: string; window: number; json?: boolean }) => {
      const status = await queueStatus(opts.queue, { windowS: Number(opts.window) });
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatQueueStatus(status)}\n`);
    });
}
