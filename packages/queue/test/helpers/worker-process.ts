import { spawn, type ChildProcess } from 'node:child_process';

import * as path from 'node:path';
import { bundleForNode } from '../../../../tools/system/node-bundle';
import type { QueueWorkerEvent, SignalledWorkerResult } from '../../src';

const PACKAGES = path.resolve(__dirname, '..', '..', '..');

/** Bundles worker-main.ts into `outDir`; returns the script. */
export function bundleWorker(outDir: string): Promise<string> {
  return bundleForNode(path.join(__dirname, 'worker-main.ts'), path.join(outDir, 'queue-worker.cjs'));
}

/** A worker child process and the events it printed. */
export interface WorkerProcess {
  child: ChildProcess;
  events: Array<QueueWorkerEvent | { kind: 'ready'; pid: number } | ({ kind: 'stopped' } & SignalledWorkerResult)>;
  /** What it wrote on stderr (its log lines). */
  stderr(): string;
  /** Resolves once an event matching `test` has been printed. */
  waitFor(test: (e: WorkerProcess['events'][number]) => boolean, timeoutMs?: number): Promise<void>;
  /** SIGTERM (finish the jobs in flight) and wait for the exit. */
  stop(): Promise<void>;
}

export async function spawnWorker(
  script: string,
  url: string,
  options: { concurrency: number; lockMs: number; allow: string[]; stopTimeoutMs?: number; env?: Record<string, string> },
): Promise<WorkerProcess> {
  const args = [script, url, String(options.concurrency), String(options.lockMs), String(options.stopTimeoutMs ?? 20000), ...options.allow];
  const child = spawn(process.execPath, args, {
    cwd: path.join(PACKAGES, 'queue'),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerProcess['events'] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
    for (const w of waiters.slice()) w();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const waitFor: WorkerProcess['waitFor'] = (test, timeoutMs = 30000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (events.some(test)) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid}: no such event within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`)), timeoutMs);
      waiters.push(check);
      child.on('exit', (code) => reject(new Error(`worker ${child.pid} exited (${code ?? child.signalCode}); stderr: ${stderr.slice(-500)}`)));
      check();
    });
  await waitFor((e) => e.kind === 'ready');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  return { child, events, stderr: () => stderr, waitFor, stop };
}
