import type { Command } from 'commander';
import { formatQueueStatus, parseQueueUrl, queueStatus, runQueueWorkerUntilSignal } from '@ccl/queue';
import { parsePositiveInt } from '../cli-options';

/** `ccl worker` (runs queue jobs until stopped) and `ccl queue status` (counts and throughput); @ccl/queue does the work. */
export function registerQueueCommands(program: Command, useBackend: (force?: string) => Promise<unknown>): void {
  program
    .command('worker')
    .description(
      'run jobs of `ccl data prepare --queue` and `ccl features extract --queue` from a Redis queue until stopped (Ctrl-C / SIGTERM finishes the jobs in flight); run one per machine',
    )
    .requiredOption('--queue <url>', 'redis://[:PASSWORD@]HOST:PORT[/DB]')
    .requiredOption(
      '--allow <dir>',
      'a folder jobs may read and write (repeat it): jobs naming a path outside every one are refused',
      (d, ds: string[] = []) => [...ds, d],
    )
    .option('--concurrency <n>', 'jobs at once in this process (each decode is one ffmpeg process)', parsePositiveInt, 1)
    .option('--lock-ms <ms>', "a job's lock: a worker that dies mid-job leaves its job to another one after about this long", parsePositiveInt, 30000)
    .option('--stop-timeout <s>', 'when stopped: wait at most this long for the jobs in flight (not at all if Redis is unreachable)', parsePositiveInt, 20)
    .option('--backend <name>', 'tensor backend for features jobs')
    .action(async (opts: { queue: string; allow: string[]; concurrency: number; lockMs: number; stopTimeout: number; backend?: string }) => {
      parseQueueUrl(opts.queue);
      const { concurrency, lockMs, stopTimeout } = opts;
      const setupBackend = () => useBackend(opts.backend);
      const write = (line: string) => process.stderr.write(line);
      const r = await runQueueWorkerUntilSignal({ ...opts, setupBackend, write, concurrency, lockDurationMs: lockMs, stopTimeoutMs: stopTimeout * 1000 });
      process.stdout.write(`${r.done} jobs done, ${r.failed} failed\n`);
      if (r.stop.forced) process.exit(0); // what still runs here is abandoned: its jobs' locks expire and other workers take them
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
