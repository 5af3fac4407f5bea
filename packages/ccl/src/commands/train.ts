import * as path from 'node:path';
import type { Command, Option } from 'commander';
import { evaluateRunFolder, formatRunEvaluation, summarizeRunEvaluation, trainFromConfigFile } from '@ccl/experiments';

export function registerTrainCommands(program: Command, useBackend: (force?: string) => Promise<unknown>, backendOption: () => Option): void {
  program
    .command('train')
    .description('train a student from an experiment config file (JSON: method, student, teachers with their features or online encoders, data, schedule)')
    .requiredOption('--config <file>', 'experiment config (JSON or YAML)')
    .requiredOption('--out <dir>', 'run folder (run.json, steps.jsonl, epochs.jsonl, checkpoints/)')
    .option('--resume', "continue from the run folder's latest checkpoint (refused if there is none or the config changed)")
    .option('--force', 'replace the run in the folder: its checkpoints, logs, evaluation and run.json are removed first')
    .option('--allow-config-change', "with --resume: continue although the config differs from the run's")
    .addOption(backendOption())
    .action(async (opts: { config: string; out: string; resume?: boolean; force?: boolean; allowConfigChange?: boolean; backend?: string }) => {
      await useBackend(opts.backend);
      const { config, result: r } = await trainFromConfigFile(opts.config, opts.out, {
        ...opts,
        progress: process.stderr,
        command: `ccl ${process.argv.slice(2).join(' ')}`,
        onWarning: (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(
        `${r.stopped ? 'stopped' : 'finished'}: ${r.globalStep} steps, best ${config.validation.policy} clip accuracy ${r.bestMetric === null ? '-' : (100 * r.bestMetric).toFixed(1) + '%'}; run folder ${path.resolve(opts.out)}\n`,
      );
    });

  program
    .command('eval')
    .description('final test of a run: video-level top-1/top-5 over sliding windows, and retrieval against the training set')
    .requiredOption('--run <dir>', 'run folder written by ccl train (its run.json names the data)')
    .option('--checkpoint <name>', 'checkpoint file in <run>/checkpoints', 'best.ckpt')
    .option('--json', 'print JSON')
    .addOption(backendOption())
    .action(async (opts: { run: string; checkpoint: string; json?: boolean; backend?: string }) => {
      await useBackend(opts.backend);
      const summary = summarizeRunEvaluation(opts.run, opts.checkpoint, await evaluateRunFolder(opts.run, opts.checkpoint));
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatRunEvaluation(summary)}\n`);
    });
}
