import * as fs from 'node:fs';
import type { Command } from 'commander';
import { readFeaturesArchive, readFeaturesFolder, readManifest, ucfSplitOfGroup, parseUcfVideoName } from '@ccl/data';
import { linearProbe } from '@ccl/eval';
import { registerExtractCommand } from './extract';

/** train/test of each feature id: from a UCF101 split (`ucf101:N`, by group) or a manifest file. */
function splitOf(spec: string, ids: string[]): Map<string, 'train' | 'test'> {
  const out = new Map<string, 'train' | 'test'>();
  const m = /^ucf101:([123])$/.exec(spec);
  if (m) {
    for (const id of ids) {
      const name = parseUcfVideoName(id);
      if (!name) throw new Error(`feature '${id}' is not a UCF101 video name (v_<Class>_gGG_cCC)`);
      out.set(id, ucfSplitOfGroup(name.group, Number(m[1]) as 1 | 2 | 3));
    }
    return out;
  }
  if (!fs.existsSync(spec)) throw new Error(`--split '${spec}': neither ucf101:1|2|3 nor an existing manifest file`);
  const manifest = readManifest(spec);
  for (const s of manifest.samples) if (s.split === 'train' || s.split === 'test') out.set(s.id, s.split);
  return out;
}

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
      if (!fs.existsSync(opts.features)) throw new Error(`${opts.features}: not found`);
      const warnings: string[] = [];
      const set = fs.statSync(opts.features).isDirectory()
        ? readFeaturesFolder(opts.features, { onWarning: (w: string) => warnings.push(w) })
        : readFeaturesArchive(opts.features, { onWarning: (w: string) => warnings.push(w) });
      const ids = [...set.features.keys()].sort();
      const split = splitOf(opts.split, ids);
      const classIndex = new Map(set.classes.map((c, i) => [c, i]));
      const part = (which: 'train' | 'test') => {
        const chosen = ids.filter((id) => split.get(id) === which);
        const data = new Float64Array(chosen.length * set.dim);
        chosen.forEach((id, r) => {
          const f = set.features.get(id)!;
          for (let k = 0; k < set.dim; k++) data[r * set.dim + k] = f.data[k];
        });
        return { features: { rows: chosen.length, dims: set.dim, data }, labels: chosen.map((id) => classIndex.get(set.classOf.get(id)!)!) };
      };
      const train = part('train');
      const test = part('test');
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
