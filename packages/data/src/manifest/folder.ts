import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manifest, ManifestSample, SplitName } from './schema';
import { makeManifest } from './schema';
import { scanClassFolders, stem, VIDEO_EXTENSIONS } from './files';
import { registerDataset } from './datasets';
import { holdOutSplit } from './holdout';
import { parseUcfVideoName } from '../features/ucf-names';

export interface FolderManifestOptions {
  /** `root/<Class>/<video>`, or `root/train/<Class>/<video>` + `root/test/<Class>/<video>` (the split from the layout). */
  root: string;
  /** Explicit class order; default sorted folder names. Folders not listed are an error. */
  classes?: readonly string[];
  /** Split of each video (default: from a `train/` + `test/` layout, else all 'train'). */
  splitOf?: (className: string, fileName: string) => SplitName;
  extensions?: readonly string[];
  dataset?: string;
}

/** Whether `root` holds the `train/` + `test/` layout (both folders, nothing else but metadata). */
export function hasTrainTestLayout(root: string): boolean {
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  return isDir(path.join(root, 'train')) && isDir(path.join(root, 'test'));
}

/**
 * A generic folder-per-class dataset; ids are `<Class>/<file stem>` so equal stems in two classes cannot clash
 * (with the `train/` + `test/` layout: `train/<Class>/<stem>`). A file named like UCF101's
 * (`v_<Class>_g<NN>_c<MM>`) carries its group, so splits carved later keep a group's clips together.
 */
export function buildFolderManifest(options: FolderManifestOptions): Manifest {
  const samples: ManifestSample[] = [];
  const ext = options.extensions ?? VIDEO_EXTENSIONS;
  const add = (dir: string, prefix: string, splitOf: (label: string, file: string) => SplitName) => {
    for (const [label, videos] of scanClassFolders(dir, ext)) {
      for (const v of videos) {
        const sample: ManifestSample = { id: `${prefix}${label}/${stem(v)}`, label, split: splitOf(label, v), video: `${prefix}${label}/${v}` };
        const ucf = parseUcfVideoName(v);
        if (ucf) sample.group = ucf.group;
        samples.push(sample);
      }
    }
  };
  if (!options.splitOf && hasTrainTestLayout(options.root)) {
    add(path.join(options.root, 'train'), 'train/', () => 'train');
    add(path.join(options.root, 'test'), 'test/', () => 'test');
  } else add(options.root, '', options.splitOf ?? (() => 'train'));
  const args: Parameters<typeof makeManifest>[0] = { dataset: options.dataset ?? 'folder', samples, root: options.root, source: options.root };
  if (options.classes) args.classes = options.classes;
  return makeManifest(args);
}

/** Default share of each class held out as the test split of a flat folder dataset. */
export const FOLDER_TEST_FRACTION = 0.2;

registerDataset({
  name: 'folder',
  description: 'any folder of class folders of videos (or train/ and test/ folders of them)',
  arguments: {
    root: 'root/<Class>/<video>, or root/train/<Class>/... and root/test/<Class>/... (the split from the layout)',
    testFraction: `flat layout: the share of each class held out as the test split, seeded by --seed, group-aware for UCF-style names (default ${FOLDER_TEST_FRACTION}; 0: no test split)`,
  },
  required: ['root'],
  buildManifest: ({ root, testFraction, seed }) => {
    const manifest = buildFolderManifest({ root: root! });
    if (hasTrainTestLayout(root!)) {
      if (testFraction !== undefined)
        throw new Error(`${root}: --test-fraction is for a flat folder; this one has train/ and test/ folders, which give the split`);
      return manifest;
    }
    const fraction = testFraction ?? FOLDER_TEST_FRACTION;
    return fraction > 0 ? holdOutSplit(manifest, { fraction, seed: seed ?? 1, into: 'test' }) : manifest;
  },
});
