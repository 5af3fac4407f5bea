import type { Manifest, ManifestSample, SplitName } from './schema';
import { makeManifest } from './schema';
import { scanClassFolders, stem, VIDEO_EXTENSIONS } from './files';
import { registerDataset } from './datasets';

export interface FolderManifestOptions {
  /** `root/<Class>/<video>`. */
  root: string;
  /** Explicit class order; default sorted folder names. Folders not listed are an error. */
  classes?: readonly string[];
  /** Split of each video (default: all 'train'). */
  splitOf?: (className: string, fileName: string) => SplitName;
  extensions?: readonly string[];
  dataset?: string;
}

/** A generic folder-per-class dataset; ids are `<Class>/<file stem>` so equal stems in two classes cannot clash. */
export function buildFolderManifest(options: FolderManifestOptions): Manifest {
  const folders = scanClassFolders(options.root, options.extensions ?? VIDEO_EXTENSIONS);
  const samples: ManifestSample[] = [];
  for (const [label, videos] of folders) {
    for (const v of videos)
      samples.push({ id: `${label}/${stem(v)}`, label, split: options.splitOf ? options.splitOf(label, v) : 'train', video: `${label}/${v}` });
  }
  const args: Parameters<typeof makeManifest>[0] = { dataset: options.dataset ?? 'folder', samples, root: options.root, source: options.root };
  if (options.classes) args.classes = options.classes;
  return makeManifest(args);
}

registerDataset({
  name: 'folder',
  description: 'any folder of class folders of videos',
  buildManifest: ({ root }) => buildFolderManifest({ root }),
});
