import * as tf from '@tensorflow/tfjs-core';
import type { Param } from './nn/parameters';

/** A torch-style state dict: torch names, torch layouts. */
export type StateDict = Record<string, tf.Tensor>;

export interface LoadStateDictOptions {
  /**
   * true (default, like torch): every model key must be present and no other key may be; any problem
   * throws one Error listing every missing, unexpected and shape-mismatched key, and nothing is loaded.
   * false: loads the keys that match and reports the others in the returned LoadReport.
   * Shape mismatches throw in both modes.
   */
  strict?: boolean;
  /** Where the dict came from (a file path), named in error messages. */
  source?: string;
}

export interface ShapeMismatch {
  readonly name: string;
  readonly expected: readonly number[];
  readonly got: readonly number[];
}

export interface LoadReport {
  readonly loaded: string[];
  readonly missing: string[];
  readonly unexpected: string[];
  /** keys accepted and ignored (torch's `num_batches_tracked` of a bare parameter list; encoders restore it). */
  readonly ignored: string[];
}

const BATCHES_TRACKED = '.num_batches_tracked';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks `dict` against the model's params (names and torch shapes) and, if acceptable, assigns every
 * matching entry (converted from torch layout, cast to float32). All checks run before any assignment:
 * a failing load leaves the model untouched.
 */
export function loadParams(modelName: string, params: readonly Param[], dict: StateDict, options: LoadStateDictOptions = {}): LoadReport {
  const strict = options.strict ?? true;
  const where = options.source === undefined ? modelName : `${modelName} from ${options.source}`;
  const expected = new Map(params.map((p) => [p.spec.name, p]));
  const missing: string[] = [];
  const unexpected: string[] = [];
  const ignored: string[] = [];
  const mismatched: ShapeMismatch[] = [];
  const toLoad: Param[] = [];
  for (const p of params) {
    const t = dict[p.spec.name];
    if (t === undefined) missing.push(p.spec.name);
    else if (!sameShape(t.shape, p.spec.torchShape)) mismatched.push({ name: p.spec.name, expected: p.spec.torchShape, got: t.shape });
    else toLoad.push(p);
  }
  for (const key of Object.keys(dict)) {
    if (expected.has(key)) continue;
    if (key.endsWith(BATCHES_TRACKED) && expected.has(`${key.slice(0, -BATCHES_TRACKED.length)}.running_mean`)) ignored.push(key);
    else unexpected.push(key);
  }
  const problems: string[] = [];
  if (mismatched.length > 0) problems.push(`shape mismatch (${mismatched.length}): ${mismatched.map((m) => `${m.name} expected ${fmt(m.expected)} got ${fmt(m.got)}`).join('; ')}`);
  if (strict && missing.length > 0) problems.push(`missing keys (${missing.length}): ${missing.join(', ')}`);
  if (strict && unexpected.length > 0) problems.push(`unexpected keys (${unexpected.length}): ${unexpected.join(', ')}`);
  if (problems.length > 0) {
    throw new Error(`loadStateDict(${where}${strict ? ', strict' : ''}) failed, nothing was loaded:\n  ${problems.join('\n  ')}`);
  }
  tf.tidy(() => {
    for (const p of toLoad) {
      const value = dict[p.spec.name]!;
      const asFloat = value.dtype === 'float32' ? value : tf.cast(value, 'float32');
      p.variable.assign(p.spec.layout.toTf(asFloat));
    }
  });
  return { loaded: toLoad.map((p) => p.spec.name), missing, unexpected, ignored };
}
