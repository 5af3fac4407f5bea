import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_ORDER, formatBackendLine, formatBackendReport, pickBackend, type BackendReport } from '@ccl/backends';
import { integerBetween, parsePositiveInt, parseSeeds } from './cli-options';
import { registerDataCommands } from './commands/data';
import { registerExportCommand } from './commands/export';
import { registerFeaturesCommands } from './commands/features';
import { registerQueueCommands } from './commands/queue';
import { registerTrainCommands } from './commands/train';
import { registerReportCommand } from './commands/report';
import { registerWeightsCommands } from './commands/weights';
import {
  BENCH_PRESETS,
  benchExperimentOptions,
  defaultBenchJobs,
  DEMO_DEFAULTS,
  describeBenchPresets,
  formatBenchOutput,
  formatMergedBench,
  mergeBenchFileSet,
  METHOD_PLANS,
  parseBenchRunId,
  runSyntheticExperiment,
  workerThreads,
  type BenchOverrides,
  type BenchRunId,
} from '@ccl/experiments';
import { packageVersion } from './version';

export function backendOption(): Option {
  return new Option('--backend <name>', 'force a tensor backend (else CCL_BACKEND, else the first that works)').choices([...BACKEND_ORDER]);
}

/** Picks the backend and says in one line which (to stderr: --json output stays clean); `ccl backend` says why. */
export async function useBackend(force: string | undefined, quiet = false): Promise<BackendReport> {
  const report = await pickBackend({ force });
  if (!quiet) process.stderr.write(`${formatBackendLine(report)}\n`);
  return report;
}

function defaultWorkDir(kind: string): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'ccl', kind);
}

/** What `ccl bench synthetic`'s flags parse to. */
type BenchSyntheticFlags = Omit<BenchOverrides, 'methods'> & { preset: string } & Partial<{ backend: string; work: string; methods: string; json: boolean }> &
  Partial<{ jobs: number; run: BenchRunId }>;

function parseList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function buildProgram(): Command {
  // exitOverride first: subcommands copy it when created, so no command ever calls process.exit itself
  // (main() turns usage errors into exit code 2).
  const program = new Command('ccl')
    .exitOverride()
    .description('Distil audio and image knowledge into video models (CCL, CVPR 2021) with TensorFlow.js')
    .version(packageVersion())
    .showHelpAfterError(true);

  program
    .command('backend')
    .description('pick the tensor backend and say which one runs and why')
    .addOption(backendOption())
    .option('--json', 'print the report as JSON')
    .action(async (opts: { backend?: string; json?: boolean }) => {
      const report = await pickBackend({ force: opts.backend });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBackendReport(report)}\n`);
    });

  registerDataCommands(program);
  registerQueueCommands(program, (force) => useBackend(force));
  registerFeaturesCommands(program, (force) => useBackend(force));
  registerTrainCommands(program, (force) => useBackend(force), backendOption);
  registerExportCommand(program, (force, quiet) => useBackend(force, quiet), backendOption);
  registerWeightsCommands(program, (force, quiet) => useBackend(force, quiet));

  program
    .command('demo')
    .description(
      'end to end on built-in synthetic data: synthesise mp4s, prepare, pre-train teachers, extract features, train baseline / CCL-AI / a KD baseline, evaluate, report',
    )
    .addOption(backendOption())
    .option('--work <dir>', 'working folder (reused by a second run)', defaultWorkDir('demo'))
    .option('--epochs <n>', 'student epochs per method', parsePositiveInt, DEMO_DEFAULTS.epochs)
    .action(async (opts: { backend?: string; work: string; epochs: number }) => {
      const report = await useBackend(opts.backend);
      const result = await runSyntheticExperiment({
        ...DEMO_DEFAULTS,
        epochs: Number(opts.epochs),
        workDir: path.resolve(opts.work),
        backend: report.name,
        progress: process.stderr,
      });
      process.stdout.write(`\n${formatBenchOutput(result)}\nreport: ${path.join(result.reportDir, 'report.html')}\n`);
    });

  registerReportCommand(program);

  const bench = program.command('bench').description('benchmarks');
  bench
    .command('synthetic')
    .description(
      "the synthetic audio-visual distillation benchmark (the project's small version of the paper's table): a paired design, bootstrap CIs, resumable",
    )
    .addOption(backendOption())
    .addOption(new Option('--preset <name>', describeBenchPresets()).choices(Object.keys(BENCH_PRESETS)).default('full'))
    .option('--work <dir>', 'working folder (finished runs are reused; default: one per preset)')
    .option(
      '--seeds <n|a-b|list>',
      "seeds 1 to n, a range a-b, or a list a,b,... (default: the preset's; parts of a bench merge with `ccl bench merge`)",
      parseSeeds,
    )
    .option('--methods <list>', `comma-separated (default: the preset's), from: ${Object.keys(METHOD_PLANS).join(', ')}`)
    .option('--epochs <n>', "student epochs per run (default: the preset's)", parsePositiveInt)
    .option('--classes <n>', "video classes, 2-36 (default: the preset's)", integerBetween(2, 36))
    .option('--videos-per-class <n>', "videos per class when the preset sets no split sizes (default: the preset's)", parsePositiveInt)
    .option('--teacher-epochs <n>', "pre-training epochs of both teachers (default: the preset's)", parsePositiveInt)
    .option('--json', 'print bench.json (every number, the seeds, the options, the code revision) instead of the tables; progress goes to stderr')
    .option('--jobs <n>', `runs trained at once, each in its own process (default: one per core, at most 4: ${defaultBenchJobs()} here)`, parsePositiveInt)
    .addOption(new Option('--run <method@seed>', 'train and evaluate only this run (a worker of --jobs)').hideHelp().argParser(parseBenchRunId))
    .action(async (opts: BenchSyntheticFlags) => {
      const jobs = opts.jobs ?? defaultBenchJobs();
      const threads = workerThreads(jobs);
      if (jobs > 1 && !opts.run && !process.env.CCL_WASM_THREADS) process.env.CCL_WASM_THREADS = threads; // the parent's own work (data, teachers) runs with the workers' thread count
      const report = await useBackend(opts.backend, Boolean(opts.run));
      const workDir = path.resolve(opts.work ?? defaultWorkDir(`bench-synthetic-${opts.preset}`));
      const invocation = { ...opts, methods: opts.methods ? parseList(opts.methods) : undefined, workDir, backend: report.name, jobs };
      const io = { only: opts.run, progress: opts.run ? null : process.stderr, ...(opts.json ? { out: process.stderr } : {}) };
      const result = await runSyntheticExperiment(benchExperimentOptions(process.argv[1]!, invocation, threads, io));
      if (opts.run) return;
      if (opts.json) process.stdout.write(fs.readFileSync(result.benchFile, 'utf8'));
      else process.stdout.write(`\n${formatBenchOutput(result)}\nreport: ${path.join(result.reportDir, 'report.html')}\n`);
    });

  bench
    .command('merge')
    .description('one bench.json of parts of one `ccl bench synthetic` (other seeds or methods): the tables as if one invocation ran them all')
    .argument('<files...>', 'bench.json files (each in its work folder under report/, or as --json printed it)')
    .option('--out <file>', 'write the merged bench.json there (atomically)')
    .option('--json', 'print the merged bench.json instead of the tables')
    .action((files: string[], opts: { out?: string; json?: boolean }) => {
      const merged = mergeBenchFileSet(files, opts.out);
      process.stdout.write(opts.json ? `${JSON.stringify(merged, null, 2)}\n` : formatMergedBench(merged, opts.out));
    });

  return program;
}
