import * as path from 'node:path';
import { parseUcfVideoName, ucfSplitOfGroup } from '../features/ucf-names';
import type { TeacherFeatureSet } from '../features/feature-set';
import type { Manifest, ManifestSample } from './schema';
import { makeManifest, sortedNames } from './schema';
import { readTextFile, scanClassFolders, stem } from './files';
import { existingArg, registerDataset } from './datasets';
import { readFeatureSet } from '../features/feature-set-files';

export interface Ucf101ListOptions {
  /** Official `classInd.txt` (`<index> <ClassName>` per line): fixes the class order. */
  classIndFile: string;
  /** Official `trainlist0N.txt` (`<Class>/<video>.avi <index>`). */
  trainListFile: string;
  /** Official `testlist0N.txt` (`<Class>/<video>.avi`). */
  testListFile: string;
  /** Folder the list paths are relative to (stored as the manifest root). */
  videoRoot?: string;
  dataset?: string;
}

export interface Ucf101ScanOptions {
  /** `UCF-101/` folder: one sub-folder per class holding `v_<Class>_gGG_cCC.avi`. */
  videoRoot: string;
  /** Official split 1, 2 or 3 (test groups g01-g07, g08-g14, g15-g21). Default 1. */
  split?: 1 | 2 | 3;
  /** Explicit class order; default sorted folder names. */
  classes?: readonly string[];
  dataset?: string;
}

function parseClassInd(file: string): string[] {
  const rows = readTextFile(file, 'classInd')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const classes: string[] = [];
  rows.forEach((line, i) => {
    const m = /^(\d+)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected '<index> <ClassName>', got '${line}'`);
    if (Number(m[1]) !== i + 1) throw new Error(`${file}:${i + 1}: class indices must run 1, 2, 3, ... (got ${m[1]})`);
    classes.push(m[2] as string);
  });
  return classes;
}

function parseList(file: string, split: 'train' | 'test', classes: readonly string[]): ManifestSample[] {
  const lines = readTextFile(file, `${split} list`).split(/\r?\n/);
  const known = new Set(classes);
  const out: ManifestSample[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const [video, index] = line.split(/\s+/) as [string, string | undefined];
    const slash = video.indexOf('/');
    if (slash <= 0) throw new Error(`${file}:${i + 1}: expected '<Class>/<video>', got '${line}'`);
    const label = video.slice(0, slash);
    if (!known.has(label)) throw new Error(`${file}:${i + 1}: label '${label}' is missing from the class list`);
    if (index !== undefined && classes[Number(index) - 1] !== label) {
      throw new Error(`${file}:${i + 1}: class index ${index} is '${classes[Number(index) - 1]}' in classInd, but the path says '${label}'`);
    }
    const sample: ManifestSample = { id: stem(video), label, split, video };
    const name = parseUcfVideoName(video);
    if (name) sample.group = name.group;
    out.push(sample);
  });
  return out;
}

/** UCF101 from the official `classInd.txt` + `trainlist0N.txt` / `testlist0N.txt` (class order = classInd). */
export function buildUcf101FromLists(options: Ucf101ListOptions): Manifest {
  const classes = parseClassInd(options.classIndFile);
  const samples = [...parseList(options.trainListFile, 'train', classes), ...parseList(options.testListFile, 'test', classes)];
  const args: Parameters<typeof makeManifest>[0] = { dataset: options.dataset ?? 'ucf101', classes, samples, source: options.testListFile };
  if (options.videoRoot !== undefined) args.root = options.videoRoot;
  return makeManifest(args);
}

/** UCF101 from a scanned `UCF-101/<Class>/` folder, splits derived from the group in each file name. */
export function buildUcf101FromFolders(options: Ucf101ScanOptions): Manifest {
  const split = options.split ?? 1;
  const folders = scanClassFolders(options.videoRoot);
  const samples: ManifestSample[] = [];
  for (const [label, videos] of folders) {
    for (const v of videos) {
      const name = parseUcfVideoName(v);
      if (!name) throw new Error(`${options.videoRoot}/${label}/${v}: not a UCF101 name 'v_<Class>_gGG_cCC'`);
      samples.push({ id: name.id, label, split: ucfSplitOfGroup(name.group, split), video: `${label}/${v}`, group: name.group });
    }
  }
  const args: Parameters<typeof makeManifest>[0] = {
    dataset: options.dataset ?? 'ucf101',
    samples,
    root: options.videoRoot,
    source: options.videoRoot,
    meta: { split },
  };
  if (options.classes) args.classes = options.classes;
  return makeManifest(args);
}

export interface Ucf51FromFeaturesOptions {
  split?: 1 | 2 | 3;
  /** Teacher name under which each sample's feature key is stored (default 'audio'). */
  teacher?: string;
  /** When given, samples get `video: <Class>/<id><videoExtension>` relative to this root. */
  videoRoot?: string;
  videoExtension?: string;
  dataset?: string;
}

/**
 * UCF51 (METHOD §6) from a features folder/archive: the classes are the feature set's class folders
 * (sorted), each feature file is a sample, split by group (split 1: test = g01-g07), and each sample
 * points at its teacher feature.
 */
export function buildUcf51FromFeatures(set: TeacherFeatureSet, options: Ucf51FromFeaturesOptions = {}): Manifest {
  const split = options.split ?? 1;
  const teacher = options.teacher ?? 'audio';
  const samples: ManifestSample[] = [];
  for (const id of sortedNames(set.features.keys())) {
    const name = parseUcfVideoName(id);
    if (!name) throw new Error(`${set.features.get(id)?.source}: not a UCF101 name 'v_<Class>_gGG_cCC'`);
    const label = set.classOf.get(id) as string;
    const s: ManifestSample = { id, label, split: ucfSplitOfGroup(name.group, split), group: name.group, teacher: { [teacher]: id } };
    if (options.videoRoot !== undefined) s.video = `${label}/${id}${options.videoExtension ?? '.avi'}`;
    samples.push(s);
  }
  const args: Parameters<typeof makeManifest>[0] = {
    dataset: options.dataset ?? 'ucf51',
    classes: set.classes,
    samples,
    source: set.source,
    meta: { split, teacherSource: set.source },
  };
  if (options.videoRoot !== undefined) args.root = options.videoRoot;
  return makeManifest(args);
}

/**
 * UCF51 from a probed UCF101 manifest: keeps the classes in which at least `minAudioFraction`
 * (default 0.5) of the videos have an audio stream (`sample.probe.hasAudio`), with all their videos.
 * Every sample must have been probed.
 */
export function selectClassesWithAudio(manifest: Manifest, options: { minAudioFraction?: number; dataset?: string } = {}): Manifest {
  const minFraction = options.minAudioFraction ?? 0.5;
  const counts = new Map<string, { audio: number; total: number }>();
  for (const s of manifest.samples) {
    if (!s.probe) throw new Error(`${manifest.dataset}: sample '${s.id}' has no probe results; run probeManifest first`);
    const c = counts.get(s.label) ?? { audio: 0, total: 0 };
    c.total++;
    if (s.probe.hasAudio) c.audio++;
    counts.set(s.label, c);
  }
  const classes = manifest.classes.filter((c) => {
    const n = counts.get(c);
    return n !== undefined && n.audio / n.total >= minFraction;
  });
  if (classes.length === 0) throw new Error(`${manifest.dataset}: no class has audio in at least ${minFraction * 100}% of its videos`);
  const keep = new Set(classes);
  const args: Parameters<typeof makeManifest>[0] = {
    dataset: options.dataset ?? 'ucf51',
    classes: sortedNames(classes),
    samples: manifest.samples.filter((s) => keep.has(s.label)),
    meta: { ...(manifest.meta ?? {}), derivedFrom: manifest.dataset, minAudioFraction: minFraction },
  };
  if (manifest.root !== undefined) args.root = manifest.root;
  return makeManifest(args);
}

registerDataset({
  name: 'ucf101',
  description: 'UCF101, 101 classes, splits 1-3 (class folders; or the official lists)',
  arguments: {
    root: 'the UCF-101 folder of class folders',
    annotations: 'folder with classInd.txt + train/testlist0N.txt (else the split follows the group numbers)',
    split: 'the official split 1|2|3',
  },
  required: ['root'],
  buildManifest: ({ root, annotations, split }) => {
    const s = split as 1 | 2 | 3;
    if (!annotations) return buildUcf101FromFolders({ videoRoot: root!, split: s });
    const dir = existingArg(annotations, 'annotations');
    return buildUcf101FromLists({
      classIndFile: path.join(dir, 'classInd.txt'),
      trainListFile: path.join(dir, `trainlist0${s}.txt`),
      testListFile: path.join(dir, `testlist0${s}.txt`),
      videoRoot: root,
    });
  },
});

registerDataset({
  name: 'ucf51',
  description: 'the 51 UCF101 classes with audio (from the released features, else chosen after probing)',
  arguments: {
    root: 'the UCF-101 folder of class folders',
    features: 'the released feature folder or .tar.gz (defines the 51 classes)',
    split: 'the official split 1|2|3',
  },
  required: ['root'],
  buildManifest: ({ root, features, split }) => {
    if (!features) return buildUcf101FromFolders({ videoRoot: root!, split: split as 1 | 2 | 3, dataset: 'ucf51' }); // classes with audio chosen after probing
    const f = existingArg(features, 'features');
    return buildUcf51FromFeatures(readFeatureSet(f), { split: split as 1 | 2 | 3, videoRoot: root, videoExtension: '.avi' });
  },
  selectProbed: (probed, { features }) => (features ? probed : selectClassesWithAudio(probed, { dataset: 'ucf51' })),
});
