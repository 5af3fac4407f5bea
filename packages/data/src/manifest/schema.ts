import { classToDirName, idToFileName } from '../io/safe-names';

/** Identifies a manifest file; bumped (`MANIFEST_VERSION`) whenever the layout changes incompatibly. */
export const MANIFEST_SCHEMA = 'ccl.manifest';
export const MANIFEST_VERSION = 1;

export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** Media facts cached in the manifest by `probeMedia` (see media/probe.ts). */
export interface ManifestProbe {
  durationS: number;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  videoCodec: string;
  hasAudio: boolean;
  audioCodec?: string;
  sampleRate?: number;
  frameRateMode?: string;
}

/** One labelled video (or trimmed segment of a video). */
export interface ManifestSample {
  /** Unique within the manifest. */
  id: string;
  /** Class name; must be one of `Manifest.classes`. */
  label: string;
  split: SplitName;
  /** Video file, relative to `Manifest.root` when that is set. */
  video?: string;
  /** Trimmed segment [start, end] in seconds (ActivityNet annotations, VGGSound 10-s clips). */
  segment?: [number, number];
  /** UCF101 group (1-25). */
  group?: number;
  /** Teacher name -> feature key (a video id in a TeacherFeatureSet, or an `.npy` path). */
  teacher?: Record<string, string>;
  probe?: ManifestProbe;
  /** Free descriptive attributes (e.g. the synthetic generator's appearance / motion / sound). */
  attributes?: Record<string, string | number>;
}

/** A dataset: explicit class order (label index = position) and its samples. */
export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  version: typeof MANIFEST_VERSION;
  dataset: string;
  /** Folder that relative `video` paths are resolved against. */
  root?: string;
  classes: string[];
  samples: ManifestSample[];
  meta?: Record<string, unknown>;
}

/** The same schema as JSON Schema (draft 2020-12), for tools outside TypeScript. */
export const MANIFEST_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://ccl.invalid/schemas/manifest-v1.json',
  title: 'ccl dataset manifest, version 1',
  type: 'object',
  required: ['schema', 'version', 'dataset', 'classes', 'samples'],
  properties: {
    schema: { const: MANIFEST_SCHEMA },
    version: { const: MANIFEST_VERSION },
    dataset: { type: 'string', minLength: 1 },
    root: { type: 'string' },
    classes: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, minItems: 1 },
    samples: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'label', 'split'],
        properties: {
          id: { type: 'string', minLength: 1 },
          label: { type: 'string' },
          split: { enum: SPLIT_NAMES },
          video: { type: 'string' },
          segment: { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 2, maxItems: 2 },
          group: { type: 'integer', minimum: 1 },
          teacher: { type: 'object', additionalProperties: { type: 'string' } },
          probe: { type: 'object' },
          attributes: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
        },
      },
    },
    meta: { type: 'object' },
  },
} as const;

const MAX_REPORTED = 10;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Why an id or class name cannot name a file (control character, or refused by the safe-name mapping),
 * or null; `key` gets the name it maps to, case-folded (two names that differ only in case are one file
 * on macOS and Windows).
 */
function nameProblem(name: string, toFileName: (n: string) => string, key: { value: string }): string | null {
  const control = CONTROL.exec(name);
  if (control) return `contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  try {
    key.value = toFileName(name).toLowerCase();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Checks that `value` is a valid version-1 manifest: schema tag and version, unique non-empty class
 * names, unique sample ids, labels in the class list, known split names, segments with
 * 0 <= start < end. Ids and class names become file names (io/safe-names.ts), so they must also have no
 * control characters, be accepted by the mapping (valid Unicode, short enough) and map to distinct
 * names even on case-insensitive file systems. Throws one Error naming `source` and listing (up to 10 of) the problems.
 */
export function validateManifest(value: unknown, source = '<manifest>'): Manifest {
  const problems: string[] = [];
  const fail = (msg: string): void => {
    problems.push(msg);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: manifest must be a JSON object`);
  const m = value as Record<string, unknown>;
  if (m.schema !== MANIFEST_SCHEMA) fail(`'schema' must be '${MANIFEST_SCHEMA}', got ${JSON.stringify(m.schema)}`);
  if (m.version !== MANIFEST_VERSION) fail(`unsupported manifest version ${JSON.stringify(m.version)} (this reader knows version ${MANIFEST_VERSION})`);
  if (typeof m.dataset !== 'string' || m.dataset.length === 0) fail(`'dataset' must be a non-empty string`);
  if (m.root !== undefined && typeof m.root !== 'string') fail(`'root' must be a string`);
  const classes = new Set<string>();
  if (!Array.isArray(m.classes) || m.classes.length === 0) fail(`'classes' must be a non-empty array of class names`);
  else {
    const folders = new Map<string, number>();
    m.classes.forEach((c, i) => {
      const key = { value: '' };
      let problem: string | null;
      if (typeof c !== 'string' || c.length === 0) fail(`classes[${i}] must be a non-empty string`);
      else if (classes.has(c)) fail(`duplicate class name '${c}' (classes[${i}])`);
      else if ((problem = nameProblem(c, classToDirName, key))) fail(`classes[${i}] ${JSON.stringify(c)}: ${problem}`);
      else if (folders.has(key.value))
        fail(
          `classes[${i}] ${JSON.stringify(c)}: maps to the same folder as classes[${folders.get(key.value)}] ${JSON.stringify((m.classes as unknown[])[folders.get(key.value) as number])} (names differing only in case collide on macOS and Windows)`,
        );
      else {
        classes.add(c);
        folders.set(key.value, i);
      }
    });
  }
  if (!Array.isArray(m.samples)) fail(`'samples' must be an array`);
  else {
    const ids = new Map<string, number>();
    const files = new Map<string, number>();
    m.samples.forEach((s: unknown, i: number) => {
      if (typeof s !== 'object' || s === null) return fail(`samples[${i}] must be an object`);
      const x = s as Record<string, unknown>;
      const where = `samples[${i}]${typeof x.id === 'string' ? ` (${CONTROL.test(x.id) ? JSON.stringify(x.id) : `'${x.id}'`})` : ''}`;
      const key = { value: '' };
      let problem: string | null;
      if (typeof x.id !== 'string' || x.id.length === 0) fail(`${where}: 'id' must be a non-empty string`);
      else if (ids.has(x.id)) fail(`${where}: duplicate video id '${x.id}' (also samples[${ids.get(x.id)}])`);
      else if ((problem = nameProblem(x.id, (id) => idToFileName(id, '.clip'), key))) fail(`${where}: id ${problem}`);
      else if (files.has(key.value)) {
        const j = files.get(key.value) as number;
        fail(
          `${where}: id maps to the same file as samples[${j}] (${JSON.stringify((m.samples as { id: string }[])[j]?.id)}) (ids differing only in case collide on macOS and Windows)`,
        );
      } else {
        ids.set(x.id, i);
        files.set(key.value, i);
      }
      if (typeof x.label !== 'string') fail(`${where}: 'label' must be a class name`);
      else if (classes.size > 0 && !classes.has(x.label)) fail(`${where}: label '${x.label}' is missing from the class list`);
      if (!SPLIT_NAMES.includes(x.split as SplitName)) fail(`${where}: 'split' must be one of ${SPLIT_NAMES.join('/')}, got ${JSON.stringify(x.split)}`);
      if (x.video !== undefined && typeof x.video !== 'string') fail(`${where}: 'video' must be a string`);
      if (x.segment !== undefined) {
        const seg = x.segment as unknown[];
        if (!Array.isArray(seg) || seg.length !== 2 || !seg.every((v) => typeof v === 'number' && Number.isFinite(v)))
          fail(`${where}: 'segment' must be [start, end] in seconds`);
        else if (!((seg[0] as number) >= 0 && (seg[0] as number) < (seg[1] as number)))
          fail(`${where}: segment [${seg[0]}, ${seg[1]}] must have 0 <= start < end`);
      }
      if (x.group !== undefined && !(Number.isInteger(x.group) && (x.group as number) >= 1)) fail(`${where}: 'group' must be a positive integer`);
      if (
        x.attributes !== undefined &&
        (typeof x.attributes !== 'object' || x.attributes === null || Object.values(x.attributes).some((v) => typeof v !== 'string' && typeof v !== 'number'))
      )
        fail(`${where}: 'attributes' must map names to strings or numbers`);
      if (x.teacher !== undefined && (typeof x.teacher !== 'object' || x.teacher === null || Object.values(x.teacher).some((v) => typeof v !== 'string')))
        fail(`${where}: 'teacher' must map teacher names to strings`);
    });
  }
  if (problems.length > 0) {
    const shown = problems
      .slice(0, MAX_REPORTED)
      .map((p) => `  - ${p}`)
      .join('\n');
    const more = problems.length > MAX_REPORTED ? `\n  ... and ${problems.length - MAX_REPORTED} more` : '';
    throw new Error(`${source}: invalid manifest (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${shown}${more}`);
  }
  return value as Manifest;
}

/** Class name -> label index (position in `manifest.classes`). */
export function classIndex(manifest: Manifest): Map<string, number> {
  return new Map(manifest.classes.map((c, i) => [c, i]));
}

/** The label index of every sample, in sample order. */
export function labelIndices(manifest: Manifest): Int32Array {
  const index = classIndex(manifest);
  return Int32Array.from(manifest.samples, (s) => index.get(s.label) as number);
}

/** Samples of one split. */
export function samplesOfSplit(manifest: Manifest, split: SplitName): ManifestSample[] {
  return manifest.samples.filter((s) => s.split === split);
}

/**
 * Assembles a manifest: class order is `classes` when given (explicit), else the sorted set of labels
 * (code-point order, as Python's `sorted`). Then validates (duplicate ids, unknown labels...).
 */
export function makeManifest(args: {
  dataset: string;
  samples: ManifestSample[];
  classes?: readonly string[];
  root?: string;
  meta?: Record<string, unknown>;
  source?: string;
}): Manifest {
  const classes = args.classes ? [...args.classes] : sortedNames(new Set(args.samples.map((s) => s.label)));
  const manifest: Manifest = { schema: MANIFEST_SCHEMA, version: MANIFEST_VERSION, dataset: args.dataset, classes, samples: args.samples };
  if (args.root !== undefined) manifest.root = args.root;
  if (args.meta !== undefined) manifest.meta = args.meta;
  return validateManifest(manifest, args.source ?? args.dataset);
}

/** Sorted by UTF-16 code units (matches Python's `sorted` for ASCII names). */
export function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
