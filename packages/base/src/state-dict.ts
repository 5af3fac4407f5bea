import * as tf from '@tensorflow/tfjs-core';

/** A torch-style state dict: a flat map of parameter names (torch names, torch layouts) to tensors. */
export type StateDict = Record<string, tf.Tensor>;

export interface ShapeMismatch {
  readonly name: string;
  readonly expected: readonly number[];
  readonly got: readonly number[];
}

/** How a state dict's keys compare with the shapes a model expects. */
export interface StateDictMatch {
  /** Expected keys present with the expected shape, in expected order. */
  readonly matched: string[];
  /** Expected keys absent from the dict, in expected order. */
  readonly missing: string[];
  /** Expected keys present with another shape, in expected order. */
  readonly mismatched: ShapeMismatch[];
  /** Dict keys nobody expects (in dict order), except the ignored ones. */
  readonly unexpected: string[];
  /** Dict keys nobody expects that `ignore` accepted (in dict order). */
  readonly ignored: string[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Compares `dict` with `expected` (name -> shape, in the model's order). `ignore(key)` accepts extra keys
 * that are not an error (e.g. torch's `num_batches_tracked`).
 */
export function matchStateDict(
  expected: ReadonlyMap<string, readonly number[]>,
  dict: StateDict,
  ignore: (key: string) => boolean = () => false,
): StateDictMatch {
  const matched: string[] = [];
  const missing: string[] = [];
  const mismatched: ShapeMismatch[] = [];
  for (const [name, shape] of expected) {
    const t = dict[name];
    if (t === undefined) missing.push(name);
    else if (!sameShape(t.shape, shape)) mismatched.push({ name, expected: shape, got: t.shape });
    else matched.push(name);
  }
  const unexpected: string[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(dict)) {
    if (expected.has(key)) continue;
    (ignore(key) ? ignored : unexpected).push(key);
  }
  return { matched, missing, mismatched, unexpected, ignored };
}

export interface LoadStateDictOptions {
  /**
   * true (default, like torch): every expected key must be present and no other key may be; any problem
   * throws one Error listing every missing, unexpected and shape-mismatched key, and nothing is loaded.
   * false: missing and unexpected keys are allowed and the matching keys are loaded. Shape mismatches
   * throw in both modes.
   */
  strict?: boolean;
  /** Where the dict came from (a file path), named in error messages. */
  source?: string;
  /** Extra keys that are never an error (accepted and not loaded). */
  ignore?: (key: string) => boolean;
}

/**
 * Copies `dict` into `variables` (state-dict name -> variable, same layout), each value cast to its
 * variable's dtype. Every missing, unexpected and shape-mismatched key is reported in one error naming
 * `owner`; nothing is assigned unless everything matches (never a silent partial load).
 */
export function loadStateDict(owner: string, variables: Record<string, tf.Variable>, dict: StateDict, options: LoadStateDictOptions = {}): void {
  const strict = options.strict ?? true;
  const match = matchStateDict(new Map(Object.entries(variables).map(([k, v]) => [k, v.shape])), dict, options.ignore);
  const problems: string[] = [];
  if (strict && match.missing.length) problems.push(`missing keys: ${match.missing.join(', ')}`);
  if (strict && match.unexpected.length) problems.push(`unexpected keys: ${match.unexpected.join(', ')}`);
  if (match.mismatched.length)
    problems.push(`shape mismatches: ${match.mismatched.map((m) => `${m.name}: checkpoint [${m.got}] vs model [${m.expected}]`).join('; ')}`);
  const where = options.source === undefined ? owner : `${owner} from ${options.source}`;
  if (problems.length) throw new Error(`${where}: cannot load state dict (${problems.join(' | ')})`);
  // the cast copy becomes the variable's value; tidy drops the copy's handle
  for (const k of match.matched) tf.tidy(() => variables[k]!.assign(tf.cast(dict[k]!, variables[k]!.dtype)));
}

/** A copy of each variable's value under its name (the caller owns the tensors). */
export function snapshotVariables(variables: Record<string, tf.Variable>): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(variables)) out[k] = v.clone();
  return out;
}
