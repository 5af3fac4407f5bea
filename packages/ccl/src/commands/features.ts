import type { Command } from 'commander';
import { featureRows, featureSplitOf, readFeatureSet } from '@ccl/data/node';
import { linearProbe } from '@ccl/eval';
import { registerExtractCommand } from './extract';

export function registerFeaturesCommands(program: Command, useBackend: (force?: string) => Promise<unknown>): void {
  const features = program.command('features').description('teacher features: extraction and linear probes');
  registerExtractCommand(features, useBackend);

  features
    .command('probe')
    .description('linear probe (standardise + L2 multinomial logistic regression) of a feature set on a train/test split')
    .requiredOption('--features <path>', 'folder of .npy files (one folder per class) or a .tar.gz of one')
    .requiredOption('--split <spec>', 'ucf101:1|2|3, or a manifest file')
    .option('--json', 'print JSON')
    .action((opts: { features: string; split: string; json?: boolean }) => {
      const warnings: string[] = [];
      const set = readFeatureSet(opts.features, { onWarning: (w: string) => warnings.push(w) });
      const split = featureSplitOf(opts.split, [...set.features.keys()]);
      const train = featureRows(set, split, 'train');
      const test = featureRows(set, split, 'test');
      const result = linearProbe({ train, test, numClasses: set.classes.length });
      const summary = {
        features: opts.features,
        split: opts.split,
        classes: set.classes.length,
        dim: set.dim,
        train: train.labels.length,
        test: test.labels.length,
        top1: result.top1,
        trainTop1: result.trainTop1,
        meanClassAccuracy: result.meanClassAccuracy,
        converged: result.converged,
        skippedEntries: warnings.length,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        process.stdout.write(
          `${set.classes.length} classes, ${set.dim}-d features; train ${train.labels.length}, test ${test.labels.length} (${opts.split})\n`,
        );
        process.stdout.write(
          `linear probe top-1: ${(100 * result.top1).toFixed(1)}% (train ${(100 * result.trainTop1).toFixed(1)}%, mean class ${(100 * (result.meanClassAccuracy ?? 0)).toFixed(1)}%)\n`,
        );
        if (warnings.length) process.stdout.write(`skipped ${warnings.length} entries (e.g. macOS ._ files)\n`);
      }
    });
}
