import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBenchSeeds } from './bench-seeds';
import type { BenchRunId, SyntheticExperimentOptions } from './options';
import { benchOptions, type BenchOverrides } from './presets';

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

/** One `ccl bench synthetic` invocation: the preset, its overrides, where, on which backend, how many runs at once. */
export interface BenchInvocation extends BenchOverrides {
  preset: string;
  workDir: string;
  backend: string;
  jobs: number;
}

/** The argv of a worker of `inv` (after node): the command again with every choice spelled out, the backend included, one job. */
export function benchWorkerArgv(script: string, inv: BenchInvocation): string[] {
  const given = (flag: string, v: number | undefined) => (v ? [flag, String(v)] : []);
  return [
    script,
    ...['bench', 'synthetic', '--preset', inv.preset, '--work', inv.workDir, '--backend', inv.backend, '--jobs', '1'],
    ...['--methods', benchOptions(inv.preset, inv).methods.join(',')],
    ...(inv.seeds === undefined ? [] : ['--seeds', formatBenchSeeds(inv.seeds)]),
    ...given('--epochs', inv.epochs),
    ...given('--classes', inv.classes),
    ...given('--videos-per-class', inv.videosPerClass),
    ...given('--teacher-epochs', inv.teacherEpochs),
  ];
}

/**
 * runSyntheticExperiment's options for an invocation: the preset with its overrides; the runs that need
 * work go to `inv.jobs` workers of `script` (spawnBenchRun, logs in WORK/logs) with `threads` WASM threads each.
 */
export function benchExperimentOptions(
  script: string,
  inv: BenchInvocation,
  threads: string,
  io: Pick<SyntheticExperimentOptions, 'only' | 'progress' | 'out'>,
): SyntheticExperimentOptions {
  const argv = benchWorkerArgv(script, inv);
  return {
    ...benchOptions(inv.preset, inv),
    workDir: inv.workDir,
    backend: inv.backend,
    ...io,
    parallel: { jobs: inv.jobs, run: (id) => spawnBenchRun(argv, id, path.join(inv.workDir, 'logs'), threads) },
  };
}
