import * as tf from '@tensorflow/tfjs-core';
import { matchStateDict, type LoadStateDictOptions, type StateDict } from '@ccl/base';
import type { Param } from './nn/parameters';

export interface LoadReport {
  readonly loaded: string[];
  readonly missing: string[];
  readonly unexpected: string[];
  /** keys accepted and ignored (torch's `num_batches_tracked` of a bare parameter list; encoders restore it). */
  readonly ignored: string[];
}

const BATCHES_TRACKED = '.num_batches_tracked';

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks `dict` against the model's params (names and torch shapes; @ccl/base's `matchStateDict`) and, if
 * acceptable (see `LoadStateDictOptions`), assigns every matching entry (converted from torch layout, cast to float32). All checks run before any assignment:
 * a failing load leaves the model untouched.
 */
export function loadParams(modelName: string, params: readonly Param[], dict: StateDict, options: LoadStateDictOptions = {}): LoadReport {
  const strict = options.strict ?? true;
  const where = options.source === undefined ? modelName : `${modelName} from ${options.source}`;
  const byName = new Map(params.map((p) => [p.spec.name, p]));
  const expected = new Map(params.map((p) => [p.spec.name, p.spec.torchShape]));
  const isBatchesTracked = (key: string) => key.endsWith(BATCHES_TRACKED) && expected.has(`${key.slice(0, -BATCHES_TRACKED.length)}.running_mean`);
  const { matched, missing, mismatched, unexpected, ignored } = matchStateDict(
    expected,
    dict,
    (key) => isBatchesTracked(key) || (options.ignore?.(key) ?? false),
  );
  const problems: string[] = [];
  if (mismatched.length > 0)
    problems.push(`shape mismatch (${mismatched.length}): ${mismatched.map((m) => `${m.name} expected ${fmt(m.expected)} got ${fmt(m.got)}`).join('; ')}`);
  if (strict && missing.length > 0) problems.push(`missing keys (${missing.length}): ${missing.join(', ')}`);
  if (strict && unexpected.length > 0) problems.push(`unexpected keys (${unexpected.length}): ${unexpected.join(', ')}`);
  if (problems.length > 0) {
    throw new Error(`loadStateDict(${where}${strict ? ', strict' : ''}) failed, nothing was loaded:\n  ${problems.join('\n  ')}`);
  }
  tf.tidy(() => {
    for (const name of matched) {
      const p = byName.get(name)!;
      const value = dict[name]!;
      const asFloat = value.dtype === 'float32' ? value : tf.cast(value, 'float32');
      p.variable.assign(p.spec.layout.toTf(asFloat));
    }
  });
  return { loaded: matched, missing, unexpected, ignored };
}
