import type { Manifest, ManifestSample, SplitName } from './schema';
import { makeManifest, sortedNames } from './schema';
import { readTextFile } from './files';
import { existingArg, registerDataset } from './datasets';

interface AnetAnnotation {
  segment: [number, number];
  label: string;
}
interface AnetVideo {
  subset: string;
  duration?: number;
  annotations?: AnetAnnotation[];
}
interface AnetTaxonomyNode {
  nodeName: string;
  nodeId: number;
  parentId: number | null;
}

export interface ActivityNetOptions {
  /** The official `activity_net.v1-3.min.json`. */
  jsonFile: string;
  /** Explicit class order; default the taxonomy's leaf names sorted (200 for v1.3). */
  classes?: readonly string[];
  /** Subset -> split (default training->train, validation->test: the benchmark tests on validation). 'testing' has no labels and is skipped. */
  subsetToSplit?: Record<string, SplitName>;
  /** Video file name of a YouTube id (default `v_<id>.mp4`, the common download layout). */
  videoName?: (youtubeId: string) => string;
  videoRoot?: string;
  dataset?: string;
}

/**
 * ActivityNet v1.3: one sample per annotated segment (trimmed), id `<youtubeId>_<k>` (k = annotation
 * index), label by taxonomy name. Segments are clipped to the video's duration; empty ones are an error.
 */
export function buildActivityNetManifest(options: ActivityNetOptions): Manifest {
  const file = options.jsonFile;
  let json: { version?: string; taxonomy?: AnetTaxonomyNode[]; database?: Record<string, AnetVideo> };
  const text = readTextFile(file, 'ActivityNet JSON');
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!json.database || typeof json.database !== 'object') throw new Error(`${file}: missing 'database' object (not an ActivityNet annotation file)`);
  let classes = options.classes ? [...options.classes] : undefined;
  if (!classes) {
    if (!Array.isArray(json.taxonomy)) throw new Error(`${file}: missing 'taxonomy' and no explicit class list given`);
    const parents = new Set(json.taxonomy.map((n) => n.parentId));
    classes = sortedNames(json.taxonomy.filter((n) => !parents.has(n.nodeId)).map((n) => n.nodeName));
  }
  const known = new Set(classes);
  const subsetToSplit = options.subsetToSplit ?? { training: 'train', validation: 'test' };
  const videoName = options.videoName ?? ((id: string) => `v_${id}.mp4`);
  const samples: ManifestSample[] = [];
  for (const youtubeId of sortedNames(Object.keys(json.database))) {
    const v = json.database[youtubeId] as AnetVideo;
    const split = subsetToSplit[v.subset];
    if (!split) continue;
    (v.annotations ?? []).forEach((a, k) => {
      const where = `${file}: database['${youtubeId}'].annotations[${k}]`;
      if (!known.has(a.label)) throw new Error(`${where}: label '${a.label}' is missing from the class list`);
      const end = v.duration !== undefined ? Math.min(a.segment[1], v.duration) : a.segment[1];
      const start = Math.max(0, a.segment[0]);
      if (!(end > start)) throw new Error(`${where}: empty segment [${a.segment[0]}, ${a.segment[1]}] (duration ${v.duration})`);
      samples.push({ id: `${youtubeId}_${k}`, label: a.label, split, video: videoName(youtubeId), segment: [start, end] });
    });
  }
  const args: Parameters<typeof makeManifest>[0] = {
    dataset: options.dataset ?? 'activitynet-1.3',
    classes,
    samples,
    source: file,
    meta: { annotationVersion: json.version ?? null },
  };
  if (options.videoRoot !== undefined) args.root = options.videoRoot;
  return makeManifest(args);
}

registerDataset({
  name: 'activitynet',
  description: 'ActivityNet v1.3 (training and validation subsets)',
  arguments: { root: 'folder of the downloaded videos (v_<id>.mp4, ...)', annotations: 'the v1.3 JSON' },
  required: ['root', 'annotations'],
  buildManifest: ({ root, annotations }) => buildActivityNetManifest({ jsonFile: existingArg(annotations, 'annotations'), videoRoot: root }),
});
