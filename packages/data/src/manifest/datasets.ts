import * as fs from 'node:fs';
import { createRegistry } from '@ccl/base';
import type { Manifest } from './schema';

/** What a dataset builds its manifest from: the arguments of `ccl data prepare`. */
export interface DatasetArgs {
  /** Folder of the videos (`--root`). */
  root: string;
  /** `--annotations`: a list folder, JSON or CSV file, depending on the dataset. */
  annotations?: string;
  /** `--features`: a released feature folder or archive. */
  features?: string;
  /** UCF split 1|2|3 (`--split`). */
  split: number;
}

/** A dataset `ccl data prepare` can build a manifest of (METHOD §6). */
export interface Dataset {
  /** The name `--dataset` takes. */
  name: string;
  /** One line for the help text. */
  description: string;
  /** What `--annotations` / `--features` mean for this dataset (help text); absent: not read. */
  arguments?: Partial<Record<'annotations' | 'features', string>>;
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

/** `dataset: meaning; ...` of a manifest argument over the registered datasets that read it (help text). */
export function datasetArgumentHelp(arg: 'annotations' | 'features'): string {
  return listDatasets()
    .map(getDataset)
    .filter((d) => d.arguments?.[arg] !== undefined)
    .map((d) => `${d.name}: ${d.arguments![arg]}`)
    .join('; ');
}

/** `name (description), ...` of the registered datasets (help text). */
export function datasetChoicesHelp(): string {
  return listDatasets()
    .map((n) => `${n} (${getDataset(n).description})`)
    .join(', ');
}
