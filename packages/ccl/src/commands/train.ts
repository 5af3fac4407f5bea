import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Command } from 'commander';
import { readFeaturesFolder, readManifest, type TeacherFeatureSet as FeatureSet } from '@ccl/data';
import { checkRunFolder, clipCacheSource, readExperimentConfig, resolveExperimentConfig, Trainer, type ExperimentConfig, type TrainableEncoder } from '@ccl/distill';
import { createEncoder, encoderOptionKeys, readSafetensors } from '@ccl/encoders';
import { evaluateStudentRun } from '../pipeline/student-run';

function dataOf(config: ExperimentConfig, source: string) {
  if (!config.data) throw new Error(`${source}: needs a "data" section { manifest, cacheDir, frames, size } (a manifest prepared into a clip cache)`);
  return config.data;
}

/** Relative paths in a config file are relative to the file. */
function resolver(configFile: string) {
  const base = path.dirname(path.resolve(configFile));
  return (p: string) => path.resolve(base, p);
}

/**
 * The config's student, initialised from the config's seed (unless its options give one): two runs of one
 * config start from the same weights, as the reference's seeded runs do.
 */
export function studentFor(config: ExperimentConfig, numClasses: number) {
  const seeded = encoderOptionKeys(config.student.encoder)?.includes('seed') && config.student.options.seed === undefined;
  return createEncoder(config.student.encoder, { ...(seeded ? { seed: config.seed } : {}), ...config.student.options, numClasses });
}

export function registerTrainCommands(program: Command, useBackend: (force?: string) => Promise<unknown>, backendOption: () => import('commander').Option): void {
  program
    .command('train')
    .description('train a student from an experiment config file (JSON: method, student, teachers with their features or online encoders, data, schedule)')
    .requiredOption("--config <file>", "experiment config (JSON or YAML)")
    .requiredOption('--out <dir>', 'run folder (run.json, steps.jsonl, epochs.jsonl, checkpoints/)')
    .option('--resume', 'continue from the run folder\'s latest checkpoint (refused if there is none or the config changed)')
    .option('--force', 'replace the run in the folder: its checkpoints, logs, evaluation and run.json are removed first')
    .option('--allow-config-change', 'with --resume: continue although the config differs from the run\'s')
    .addOption(backendOption())
    .action(async (opts: { config: string; out: string; resume?: boolean; force?: boolean; allowConfigChange?: boolean; backend?: string }) => {
      await useBackend(opts.backend);
      const config = readExperimentConfig(opts.config);
      const runFolder = { resume: opts.resume ?? false, force: opts.force ?? false, allowConfigChange: opts.allowConfigChange ?? false };
      checkRunFolder(path.resolve(opts.out), config, runFolder); // refuse before loading any data; fit() checks again under the lock
      const at = resolver(opts.config);
      const data = dataOf(config, opts.config);
      const manifest = readManifest(at(data.manifest));
      const numClasses = manifest.classes.length;
      const student = studentFor(config, numClasses);
      const features: Record<string, FeatureSet> = {};
      const online: Record<string, TrainableEncoder> = {};
      for (const t of config.teachers) {
        if (t.input === 'features') {
          if (!t.features) throw new Error(`${opts.config}: teacher '${t.name}' reads precomputed features but has no "features" folder`);
          features[t.name] = readFeaturesFolder(at(t.features), { dim: t.dim });
        } else {
          if (!t.encoder) throw new Error(`${opts.config}: teacher '${t.name}' runs online but has no "encoder" { name, options, weights }`);
          const enc = createEncoder(t.encoder.name, t.encoder.options ?? {});
          if (t.encoder.weights) {
            const dict = readSafetensors(at(t.encoder.weights));
            enc.loadStateDict(dict, { strict: true, source: at(t.encoder.weights) });
            tf.dispose(Object.values(dict));
          }
          online[t.name] = enc.eval();
        }
      }
      const coverage = Object.fromEntries(config.teachers.map((t) => [t.name, { minCoverage: t.minCoverage, lowCoverage: t.lowCoverage }]));
      const source = (split: 'train' | 'val' | 'test') => clipCacheSource({ manifest, cacheDir: at(data.cacheDir), split, frames: data.frames, size: data.size, features, coverage, onWarning: (m) => process.stderr.write(`${m}\n`) });
      const policy = config.validation.policy;
      const trainer = new Trainer({
        config, student, numClasses, studentDim: student.featureDim, train: source('train'),
        validation: policy === 'held-out' ? source('val') : policy === 'test' ? source('test') : undefined,
        onlineTeachers: online, outDir: path.resolve(opts.out), ...runFolder, progress: process.stderr,
        runInfo: { configFile: path.resolve(opts.config), command: `ccl ${process.argv.slice(2).join(' ')}` },
      });
      const r = await trainer.fit();
      trainer.dispose();
      process.stdout.write(`${r.stopped ? 'stopped' : 'finished'}: ${r.globalStep} steps, best ${policy} clip accuracy ${r.bestMetric === null ? '-' : (100 * r.bestMetric).toFixed(1) + '%'}; run folder ${path.resolve(opts.out)}\n`);
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
      const runFile = path.join(opts.run, 'run.json');
      if (!fs.existsSync(runFile)) throw new Error(`${runFile}: not found (is ${opts.run} a run folder?)`);
      const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as { config: unknown; configFile?: string };
      const config = resolveExperimentConfig(run.config, runFile);
      const data = dataOf(config, runFile);
      const at = resolver(run.configFile ?? runFile);
      const manifest = readManifest(at(data.manifest));
      const r = evaluateStudentRun(opts.run, manifest, at(data.cacheDir), data, () => studentFor(config, manifest.classes.length), opts.checkpoint);
      const summary = { run: opts.run, checkpoint: opts.checkpoint, top1: r.recognition.top1, top5: r.recognition.topK['5'], recallAtK: r.retrieval.recallAtK, mAP: r.retrieval.mAP, videos: r.recognition.numVideos };
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `top-1 ${(100 * summary.top1).toFixed(1)}% top-5 ${(100 * (summary.top5 ?? 0)).toFixed(1)}% R@1 ${(100 * (summary.recallAtK['1'] ?? 0)).toFixed(1)}% over ${summary.videos} test videos; results in ${path.join(opts.run, 'eval')}\n`);
    });
}
