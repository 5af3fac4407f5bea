import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRunId } from './options';

// Parallel runs of the synthetic benchmark: each run in a child process of the same command (`ccl bench
// synthetic ... --run METHOD@SEED`), with its share of the cores.

/** `METHOD@SEED` (the hidden `--run` option of a bench worker). */
export function parseBenchRunId(value: string): BenchRunId {
  const m = /^([^@\s]+)@([1-9]\d*)$/.exec(value);
  if (!m) throw new Error(`--run: expected METHOD@SEED (e.g. ccl-ai@3), got '${value}'`);
  return { method: m[1]!, seed: Number(m[2]) };
}

/** Parallel bench runs by default: one per core, at most 4 (each small run uses a core well on its own). */
export function defaultBenchJobs(): number {
  return Math.min(os.availableParallelism(), 4);
}

/**
 * WASM threads for each of `jobs` workers: the cores shared out, at least 1; CCL_WASM_THREADS when the user
 * set it. (Measured on 2 cores at the bench's size: one run at 1 thread is as fast as at 2, and two runs at
 * 1 thread each finish in ~1.2x the time of one: docs/benchmark.md.)
 */
export function workerThreads(jobs: number, env: NodeJS.ProcessEnv = process.env): string {
  return env.CCL_WASM_THREADS || String(Math.max(1, Math.floor(os.availableParallelism() / jobs)));
}

/**
 * Runs one bench run in a child process of this same command (`argv` + `--run METHOD@SEED`), its output in
 * `logDir/METHOD-sSEED.log`; rejects with the log's last lines when the child fails.
 */
export function spawnBenchRun(argv: readonly string[], id: BenchRunId, logDir: string, threads: string): Promise<void> {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${id.method}-s${id.seed}.log`);
  const log = fs.openSync(logFile, 'w');
  return new Promise<void>((resolve, reject) => {
    let child;
    try {
      child = spawn(process.execPath, [...argv, '--run', `${id.method}@${id.seed}`], {
        stdio: ['ignore', log, log],
        env: { ...process.env, CCL_WASM_THREADS: threads },
      });
    } finally {
      fs.closeSync(log); // the child holds its own copy of the descriptor
    }
    child.on('error', (e) => {
      reject(new Error(`bench run ${id.method} seed ${id.seed}: cannot start a worker process: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n  ');
      reject(new Error(`bench run ${id.method} seed ${id.seed} failed (${signal ?? `exit ${code}`}); log ${logFile}:\n  ${tail}`));
    });
  });
}
