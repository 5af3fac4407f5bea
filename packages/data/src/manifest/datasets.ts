import * as fs from 'node:fs';
import { createRegistry } from '@ccl/base';
import type { Manifest } from './schema';

/** What a dataset builds its manifest from: the arguments of `ccl data prepare`. */
export interface DatasetArgs {
  /** Folder of the videos (`--root`); made absolute by `prepareDataset`. Optional only for datasets that do not require it. */
  root?: string;
  /** `--annotations`: a list folder, JSON or CSV file, depending on the dataset. */
  annotations?: string;
  /** `--features`: a released feature folder or archive. */
  features?: string;
  /** UCF split 1|2|3 (`--split`; default 1). */
  split?: number;
  /** `--test-fraction`: the share of each class held out as the test split, where the dataset carves one. */
  testFraction?: number;
  /** Seed of any split the dataset carves (`--seed`; default 1). */
  seed?: number;
}

/** The `ccl data prepare` arguments a dataset may read (`--root`, `--annotations`, ...). */
export type DatasetArgName = 'root' | 'annotations' | 'features' | 'split' | 'testFraction';

/** The command-line flag of a dataset argument. */
export const DATASET_ARG_FLAGS: Readonly<Record<DatasetArgName, string>> = {
  root: '--root',
  annotations: '--annotations',
  features: '--features',
  split: '--split',
  testFraction: '--test-fraction',
};

/** A dataset `ccl data prepare` can build a manifest of (METHOD §6). */
export interface Dataset {
  /** The name `--dataset` takes. */
  name: string;
  /** One line for the help text. */
  description: string;
  /**
   * Every argument this dataset reads, with what it means for it (help text). An argument not listed is refused.
   * Default: `--root` alone.
   */
  arguments?: Partial<Record<DatasetArgName, string>>;
  /** The arguments it cannot do without (a missing one is an error naming its flag). Default: `['root']`. */
  required?: readonly DatasetArgName[];
  /** The manifest of the dataset's videos (not yet probed). */
  buildManifest(args: DatasetArgs): Manifest;
  /** Optional choice among the probed videos (UCF51 without the feature release: the classes with audio). */
  selectProbed?(probed: Manifest, args: DatasetArgs): Manifest;
}

/** The datasets by name; each manifest module registers its own (ucf101.ts, activitynet.ts, ...). */
const datasets = createRegistry<Dataset>('dataset');

/** Adds a dataset; throws when the name is taken, unless `{ override: true }`. */
export function registerDataset(dataset: Dataset, options: { override?: boolean } = {}): void {
  datasets.register(dataset.name, dataset, options);
}

/** The dataset registered as `name`; throws, naming the registered ones, when there is none. */
export function getDataset(name: string): Dataset {
  return datasets.get(name);
}

/** The registered dataset names, sorted. */
export function listDatasets(): string[] {
  return datasets.list();
}

/** `value`, an existing path given as `--<flag>`; throws when it is missing or does not exist. */
export function existingArg(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`--${flag} is required for this dataset`);
  if (!fs.existsSync(value)) throw new Error(`${value}: not found (--${flag})`);
  return value;
}

/**
 * Checks `args` against what `dataset` reads: a missing required argument or one the dataset does not read is an
 * error naming the flag and the dataset. Returns `args` with the UCF split checked (1, 2 or 3; default 1).
 */
export function checkDatasetArgs(dataset: Dataset, args: DatasetArgs): DatasetArgs {
  const reads = datasetArguments(dataset);
  const given = (Object.keys(DATASET_ARG_FLAGS) as DatasetArgName[]).filter((k) => args[k] !== undefined && args[k] !== null);
  for (const k of given) {
    if (reads[k] === undefined) throw new Error(`dataset '${dataset.name}' does not read ${DATASET_ARG_FLAGS[k]}${datasetReadsHelp(dataset)}`);
  }
  for (const k of dataset.required ?? DEFAULT_REQUIRED) {
    if (!given.includes(k)) throw new Error(`${DATASET_ARG_FLAGS[k]} is required for dataset '${dataset.name}' (${reads[k] ?? k})`);
  }
  const out = { ...args };
  if (reads.split !== undefined) {
    const split = args.split ?? 1;
    if (split !== 1 && split !== 2 && split !== 3) throw new Error(`--split must be 1, 2 or 3 for dataset '${dataset.name}', got ${String(args.split)}`);
    out.split = split;
  }
  if (args.testFraction !== undefined && !(args.testFraction >= 0 && args.testFraction < 1))
    throw new Error(`--test-fraction must be in [0, 1), got ${String(args.testFraction)}`);
  return out;
}

const DEFAULT_ARGUMENTS: Partial<Record<DatasetArgName, string>> = { root: 'folder of the videos' };
const DEFAULT_REQUIRED: readonly DatasetArgName[] = ['root'];

/** The arguments `dataset` reads, with their help (its declaration, else `--root` alone). */
export function datasetArguments(dataset: Dataset): Partial<Record<DatasetArgName, string>> {
  return dataset.arguments ?? DEFAULT_ARGUMENTS;
}

function datasetReadsHelp(dataset: Dataset): string {
  const reads = (Object.keys(datasetArguments(dataset)) as DatasetArgName[]).map((k) => DATASET_ARG_FLAGS[k]);
  return reads.length ? ` (it reads ${reads.join(', ')})` : ' (it reads no argument)';
}

/** `dataset: meaning; ...` of a manifest argument over the registered datasets that read it (help text). */
export function datasetArgumentHelp(arg: DatasetArgName): string {
  return listDatasets()
    .map(getDataset)
    .filter((d) => datasetArguments(d)[arg] !== undefined)
    .map((d) => `${d.name}: ${datasetArguments(d)[arg]}`)
    .join('; ');
}

/** `name (description), ...` of the registered datasets (help text). */
export function datasetChoicesHelp(): string {
  return listDatasets()
    .map((n) => `${n} (${getDataset(n).description})`)
    .join(', ');
}
