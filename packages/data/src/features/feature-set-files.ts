import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMacOsMetadata, iterateTarGz } from '../io/tar';
import { dirNameToClass } from '../io/safe-names';
import type { TeacherFeatureSet } from './feature-set';
import { featureEntryOf } from './layout';
import type { TeacherFeature, TeacherFeatureOptions } from './teacher';
import { parseTeacherFeature } from './teacher';
import { readTeacherFeature } from './teacher-files';

export interface TeacherFeatureSetOptions extends TeacherFeatureOptions {
  /** Called for each skipped entry (macOS `._*` metadata, non-.npy files); default `console.warn`. */
  onWarning?: (message: string) => void;
  /** The most bytes a features archive may expand to (default: see io/tar's ArchiveLimits). */
  maxArchiveBytes?: number;
}

function addFeature(set: TeacherFeatureSet, className: string, feature: TeacherFeature): void {
  const prev = set.features.get(feature.id);
  if (prev) throw new Error(`${feature.source}: duplicate video id '${feature.id}' (also in ${prev.source})`);
  if (set.dim === 0) set.dim = feature.dim;
  else if (feature.dim !== set.dim) throw new Error(`${feature.source}: feature size ${feature.dim} differs from the set's ${set.dim}`);
  set.features.set(feature.id, feature);
  set.classOf.set(feature.id, className);
}

/**
 * Reads a features folder: one sub-folder per class holding one `.npy` per video. Every class folder
 * must hold at least one feature; macOS metadata is skipped with a warning.
 */
export function readFeaturesFolder(dir: string, options: TeacherFeatureSetOptions = {}): TeacherFeatureSet {
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: features folder does not exist`);
  const set: TeacherFeatureSet = { classes: [], features: new Map(), classOf: new Map(), dim: options.dim ?? 0, source: dir };
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (isMacOsMetadata(e.name)) {
      warn(`${path.join(dir, e.name)}: skipping macOS metadata`);
      continue;
    }
    if (!e.isDirectory()) continue;
    const classDir = path.join(dir, e.name);
    let count = 0;
    const className = dirNameToClass(e.name);
    for (const f of fs.readdirSync(classDir).sort()) {
      if (isMacOsMetadata(f) || !f.endsWith('.npy')) {
        warn(`${path.join(classDir, f)}: skipping (not a feature .npy)`);
        continue;
      }
      addFeature(set, className, readTeacherFeature(path.join(classDir, f), { ...options, id: featureEntryOf(e.name, f).id }));
      count++;
    }
    if (count === 0) throw new Error(`${classDir}: class folder '${e.name}' holds no .npy features`);
    set.classes.push(className);
  }
  if (set.classes.length === 0) throw new Error(`${dir}: features folder has no class sub-folders`);
  set.classes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return set;
}

/**
 * Reads a features archive (`.tar.gz`) laid out as `<top>/<Class>/<id>.npy` (or `<Class>/<id>.npy`)
 * without extracting it, a chunk at a time; one that expands past `maxArchiveBytes` (a gzip bomb) is
 * refused. macOS `._*` entries are skipped with a warning.
 */
export function readFeaturesArchive(file: string, options: TeacherFeatureSetOptions = {}): TeacherFeatureSet {
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  const set: TeacherFeatureSet = { classes: [], features: new Map(), classOf: new Map(), dim: options.dim ?? 0, source: file };
  const pending: { className: string; feature: TeacherFeature }[] = [];
  const classes = new Set<string>();
  for (const entry of iterateTarGz(file, options.maxArchiveBytes === undefined ? {} : { maxBytes: options.maxArchiveBytes })) {
    if (isMacOsMetadata(entry.name)) {
      warn(`${file}: skipping macOS metadata entry '${entry.name}'`);
      continue;
    }
    if (entry.type !== 'file') continue;
    if (!entry.name.endsWith('.npy')) {
      warn(`${file}: skipping '${entry.name}' (not a .npy)`);
      continue;
    }
    const parts = entry.name.split('/').filter((p) => p.length > 0 && p !== '.');
    if (parts.length < 2) throw new Error(`${file}: entry '${entry.name}' is not inside a class folder`);
    const { className, id } = featureEntryOf(parts[parts.length - 2] as string, parts[parts.length - 1] as string);
    pending.push({ className, feature: parseTeacherFeature(id, entry.data, `${file}!${entry.name}`, options) });
    classes.add(className);
  }
  pending.sort((a, b) => (a.feature.id < b.feature.id ? -1 : a.feature.id > b.feature.id ? 1 : 0));
  for (const p of pending) addFeature(set, p.className, p.feature);
  set.classes = [...classes].sort();
  if (set.classes.length === 0) throw new Error(`${file}: archive holds no class folders with .npy features`);
  return set;
}

/** A features folder ({@link readFeaturesFolder}) or `.tar.gz` archive ({@link readFeaturesArchive}), by what `source` is. */
export function readFeatureSet(source: string, options: TeacherFeatureSetOptions = {}): TeacherFeatureSet {
  if (!fs.existsSync(source)) throw new Error(`${source}: not found (a features folder or .tar.gz)`);
  return fs.statSync(source).isDirectory() ? readFeaturesFolder(source, options) : readFeaturesArchive(source, options);
}
