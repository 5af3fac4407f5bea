import * as path from 'node:path';
import type { Command, Option } from 'commander';
import { checkRunFolder, readExperimentConfig, Trainer } from '@ccl/distill';
import { buildExperiment, evaluateRunFolder } from '@ccl/experiments';

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
      const config = readExperimentConfig(opts.config);
      const runFolder = { resume: opts.resume ?? false, force: opts.force ?? false, allowConfigChange: opts.allowConfigChange ?? false };
      checkRunFolder(path.resolve(opts.out), config, runFolder); // refuse before loading any data; fit() checks again under the lock
      const experiment = buildExperiment(config, path.dirname(path.resolve(opts.config)), {
        source: opts.config,
        onWarning: (m) => process.stderr.write(`${m}\n`),
      });
      const trainer = new Trainer({
        ...experiment.trainer,
        outDir: path.resolve(opts.out),
        ...runFolder,
        progress: process.stderr,
        runInfo: { configFile: path.resolve(opts.config), command: `ccl ${process.argv.slice(2).join(' ')}` },
      });
      const r = await trainer.fit();
      trainer.dispose();
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
      const r = await evaluateRunFolder(opts.run, opts.checkpoint);
      const summary = {
        run: opts.run,
        checkpoint: opts.checkpoint,
        top1: r.recognition.top1,
        top5: r.recognition.topK['5'],
        recallAtK: r.retrieval.recallAtK,
        mAP: r.retrieval.mAP,
        videos: r.recognition.numVideos,
      };
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `top-1 ${(100 * summary.top1).toFixed(1)}% top-5 ${(100 * (summary.top5 ?? 0)).toFixed(1)}% R@1 ${(100 * (summary.recallAtK['1'] ?? 0)).toFixed(1)}% over ${summary.videos} test videos; results in ${path.join(opts.run, 'eval')}\n`,
      );
    });
}
