import * as fs from 'node:fs';
import { readManifest } from '../manifest/manifest-files';
import type { TeacherFeatureSet } from './feature-set';
import { parseUcfVideoName, ucfSplitOfGroup } from './ucf-names';

/** train / test of each feature id. */
export type FeatureSplit = Map<string, 'train' | 'test'>;

/**
 * The train / test split of feature ids from `spec`: a UCF101 split (`ucf101:1|2|3`, by each video's group,
 * every id must be a UCF101 video name) or a manifest file (its train and test samples; others are left out).
 */
export function featureSplitOf(spec: string, ids: readonly string[]): FeatureSplit {
  const out: FeatureSplit = new Map();
  const m = /^ucf101:([123])$/.exec(spec);
  if (m) {
    for (const id of ids) {
      const name = parseUcfVideoName(id);
      if (!name) throw new Error(`feature '${id}' is not a UCF101 video name (v_<Class>_gGG_cCC)`);
      out.set(id, ucfSplitOfGroup(name.group, Number(m[1]) as 1 | 2 | 3));
    }
    return out;
  }
  if (!fs.existsSync(spec)) throw new Error(`split '${spec}': neither ucf101:1|2|3 nor an existing manifest file`);
  for (const s of readManifest(spec).samples) if (s.split === 'train' || s.split === 'test') out.set(s.id, s.split);
  return out;
}

/** One part of a feature set as a matrix: `data` [rows, dims] row-major (ids sorted), `labels` indices into `set.classes`. */
export interface FeatureRows {
  features: { rows: number; dims: number; data: Float64Array };
  labels: number[];
}

/** The features of `set` whose split is `which` (e.g. the two sides of a linear probe). */
export function featureRows(set: TeacherFeatureSet, split: FeatureSplit, which: 'train' | 'test'): FeatureRows {
  const classIndex = new Map(set.classes.map((c, i) => [c, i]));
  const chosen = [...set.features.keys()].sort().filter((id) => split.get(id) === which);
  const data = new Float64Array(chosen.length * set.dim); // [rows, dim]
  chosen.forEach((id, r) => data.set(set.features.get(id)!.data.subarray(0, set.dim), r * set.dim));
  return { features: { rows: chosen.length, dims: set.dim, data }, labels: chosen.map((id) => classIndex.get(set.classOf.get(id)!)!) };
}
