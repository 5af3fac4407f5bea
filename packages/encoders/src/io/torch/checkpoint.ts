import type { RawTensor, SafetensorsDtype } from '../safetensors';
import { readLegacyCheckpoint, readZipCheckpoint, torchFormat, type TorchContainer } from './containers';
import { materializeTensor } from './materialize';
import { PyMarker, PyObject, TensorRef } from './torch-globals';

/** Where a state dict is looked for when no key is given, in this order (CCL and most training scripts, PANNs, others). */
export const STATE_DICT_KEYS = ['state_dict', 'model', 'model_state_dict'] as const;

export interface TorchCheckpointOptions {
  /** Names the file in errors (default '<buffer>'). */
  source?: string;
  /** The key of the file's top-level dict that holds the state dict (default: see STATE_DICT_KEYS). */
  key?: string;
}

/** The state dict of a PyTorch checkpoint, and what else the file holds. */
export interface TorchStateDict {
  format: 'zip' | 'legacy';
  /** The top-level key the state dict was under; null: the file's top-level dict is the state dict. */
  key: string | null;
  /** The tensors under their checkpoint names (a DataParallel `module.` prefix stripped), contiguous, each in its own dtype. */
  tensors: Record<string, RawTensor>;
  /** The prefix stripped from every name (`module.`), or null. */
  strippedPrefix: string | null;
  /** Entries of the state dict that are not tensors (`name: what it is`), left out. */
  skipped: string[];
  /** The file's other top-level entries, described in one line each (`epoch` -> `7`, `optimizer` -> `dict of 2 (state, param_groups), 62 tensors`). */
  others: Record<string, string>;
}

const DATA_PARALLEL_PREFIX = 'module.';

function countTensors(v: unknown, seen = new Set<unknown>()): number {
  if (v instanceof TensorRef) return 1;
  if (typeof v !== 'object' || v === null || seen.has(v)) return 0;
  seen.add(v);
  const items = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : v instanceof PyObject ? [...v.attributes.values()] : [];
  return items.reduce((n: number, x) => n + countTensors(x, seen), 0);
}

/** One line saying what a pickled value is (numbers and short strings as they are). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof TensorRef) return `tensor ${v.storage.dtype} [${v.shape.join(', ')}]`;
  if (v instanceof PyMarker) return v.name;
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  const tensors = countTensors(v);
  const suffix = tensors > 0 ? `, ${tensors} tensor${tensors === 1 ? '' : 's'}` : '';
  const names = (keys: unknown[]) => {
    const shown = keys.slice(0, 6).map(String).join(', ');
    return keys.length === 0 ? '' : ` (${shown}${keys.length > 6 ? ', ...' : ''})`;
  };
  if (v instanceof Map) return `dict of ${v.size}${names([...v.keys()])}${suffix}`;
  if (v instanceof PyObject) return `${v.className}${names([...v.attributes.keys()])}${suffix}`;
  if (Array.isArray(v)) {
    if (v.length <= 6 && v.every((x) => typeof x === 'number' || typeof x === 'string')) return `[${v.map((x) => describeValue(x)).join(', ')}]`;
    return `list of ${v.length}${suffix}`;
  }
  return typeof v;
}

function holdsTensors(v: unknown): v is Map<unknown, unknown> {
  return v instanceof Map && [...v.values()].some((x) => x instanceof TensorRef);
}

/** The dict that is the state dict, and its key (null: the top-level dict). */
function findStateDict(root: unknown, key: string | undefined): { dict: Map<unknown, unknown>; key: string | null } {
  if (!(root instanceof Map)) throw new Error(`the file holds ${describeValue(root)}, not a dict of tensors`);
  const keys = () =>
    [...root.keys()]
      .slice(0, 12)
      .map((k) => `${String(k)} (${describeValue(root.get(k))})`)
      .join(', ');
  if (key !== undefined) {
    const v = root.get(key);
    if (!holdsTensors(v))
      throw new Error(
        `key '${key}' ${v === undefined ? 'is not in the file' : `holds no tensors (${describeValue(v)})`}; the file's top-level keys: ${keys()}`,
      );
    return { dict: v, key };
  }
  const values = [...root.values()];
  if (values.length > 0 && values.every((x) => x instanceof TensorRef)) return { dict: root, key: null };
  for (const k of STATE_DICT_KEYS) if (holdsTensors(root.get(k))) return { dict: root.get(k) as Map<unknown, unknown>, key: k };
  if (holdsTensors(root)) return { dict: root, key: null };
  throw new Error(`no state dict found: none of ${STATE_DICT_KEYS.join(', ')} holds tensors (name the key with --key); the file's top-level keys: ${keys()}`);
}

/** The container of `bytes` (zip or legacy), or an error saying what the bytes are not. */
function openContainer(bytes: Uint8Array): TorchContainer {
  const format = torchFormat(bytes);
  if (format === 'zip') return readZipCheckpoint(bytes);
  if (format === 'legacy') return readLegacyCheckpoint(bytes);
  if (format === 'tar') throw new Error("PyTorch's tar format (before 0.4) is not read: load it with torch and save it again");
  throw new Error(`not a PyTorch checkpoint (neither torch.save's zip archive nor its legacy format; ${bytes.length} bytes)`);
}

/**
 * Reads a PyTorch checkpoint (the bytes of a torch.save file, zip or legacy format) WITHOUT running any of
 * its pickle: only allow-listed globals are resolved (torch-globals.ts), any other one stops the read with
 * its name. Finds the state dict (the file's top-level dict when it holds only tensors, else the
 * `options.key` entry, else the first of STATE_DICT_KEYS holding tensors), strips a DataParallel `module.`
 * prefix when every name has it, and returns its tensors contiguous, each in the dtype the file stores
 * (only the storages of these tensors are read). Every error is one line starting with the source.
 */
export function parseTorchCheckpoint(bytes: Uint8Array, options: TorchCheckpointOptions = {}): TorchStateDict {
  const source = options.source ?? '<buffer>';
  try {
    const container = openContainer(bytes);
    const { dict, key } = findStateDict(container.root, options.key);
    const refs = new Map<string, TensorRef>();
    const skipped: string[] = [];
    for (const [name, v] of dict) {
      if (typeof name === 'string' && v instanceof TensorRef) refs.set(name, v);
      else skipped.push(`${String(name)}: ${describeValue(v)}`);
    }
    const names = [...refs.keys()];
    const strip = names.length > 0 && names.every((n) => n.startsWith(DATA_PARALLEL_PREFIX));
    const storages = container.storages(new Set([...refs.values()].map((t) => t.storage.key)));
    const tensors: Record<string, RawTensor> = {};
    for (const [name, t] of refs) tensors[strip ? name.slice(DATA_PARALLEL_PREFIX.length) : name] = materializeTensor(name, t, storages.get(t.storage.key)!);
    const others: Record<string, string> = {};
    if (key !== null) for (const [k, v] of container.root as Map<unknown, unknown>) if (k !== key) others[String(k)] = describeValue(v);
    return { format: container.format, key, tensors, strippedPrefix: strip ? DATA_PARALLEL_PREFIX : null, skipped, others };
  } catch (err) {
    throw new Error(`torch checkpoint ${source}: ${(err as Error).message}`);
  }
}

/** Tensor count, elements and dtypes of raw tensors (what an import reports). */
export function summarizeTensors(tensors: Record<string, RawTensor>): { count: number; elements: number; dtypes: Partial<Record<SafetensorsDtype, number>> } {
  const dtypes: Partial<Record<SafetensorsDtype, number>> = {};
  let elements = 0;
  for (const t of Object.values(tensors)) {
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
    elements += t.shape.reduce((a, b) => a * b, 1);
  }
  return { count: Object.keys(tensors).length, elements, dtypes };
}
