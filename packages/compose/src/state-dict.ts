import * as tf from '@tensorflow/tfjs-core';

/** A flat map of torch-style parameter names to tensors. */
export type StateDict = Record<string, tf.Tensor>;

/**
 * Copies `dict` into `params` (name -> variable). Every missing, unexpected and shape-mismatched key is
 * reported in one error; nothing is assigned unless everything matches (never a silent partial load).
 * With `strict: false`, missing and unexpected keys are allowed but shapes must still match.
 */
export function loadIntoVariables(owner: string, params: Record<string, tf.Variable>, dict: StateDict, strict = true): void {
  const missing = Object.keys(params).filter((k) => !(k in dict));
  const unexpected = Object.keys(dict).filter((k) => !(k in params) && !k.endsWith('num_batches_tracked'));
  const mismatched = Object.keys(params)
    .filter((k) => k in dict && !tf.util.arraysEqual(dict[k].shape, params[k].shape))
    .map((k) => `${k}: checkpoint [${dict[k].shape}] vs model [${params[k].shape}]`);
  const problems: string[] = [];
  if (strict && missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
  if (strict && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
  if (mismatched.length) problems.push(`shape mismatches: ${mismatched.join('; ')}`);
  if (problems.length) throw new Error(`${owner}: cannot load state dict (${problems.join(' | ')})`);
  for (const [k, v] of Object.entries(params)) if (k in dict) tf.tidy(() => v.assign(tf.cast(dict[k], 'float32'))); // the cast copy is the variable's new value; tidy drops the copy's handle
}

/** A copy of each variable's value under its name (the caller owns the tensors). */
export function snapshotVariables(params: Record<string, tf.Variable>): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(params)) out[k] = v.clone();
  return out;
}
