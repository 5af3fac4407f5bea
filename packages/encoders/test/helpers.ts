import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@ccl/base';
import type { ParamSpec } from '../src';
import { nd, rng, type Nd } from './reference/torch-reference';
import type { NdDict } from './reference/r2plus1d-reference';

/**
 * Random torch-layout weights for every spec (BN statistics in plausible ranges), both as tfjs tensors
 * (what loadStateDict gets) and as float64 arrays of the same float32-rounded values (for the reference).
 */
export function randomStateDict(specs: readonly ParamSpec[], seed: number): { dict: StateDict; ref: NdDict } {
  const next = rng(seed);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * next();
  const dict: StateDict = {};
  const ref: NdDict = {};
  for (const spec of specs) {
    const size = spec.torchShape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const leaf = spec.name.slice(spec.name.lastIndexOf('.') + 1);
    const isBn = spec.torchShape.length === 1 && !spec.name.startsWith('linear') && !spec.name.startsWith('fc');
    for (let i = 0; i < size; i++) {
      if (isBn && leaf === 'weight') values[i] = uniform(0.5, 1.5);
      else if (isBn && leaf === 'running_var') values[i] = uniform(0.5, 1.5);
      else if (isBn) values[i] = uniform(-0.2, 0.2);
      else {
        const bound = spec.init.kind === 'uniform' ? spec.init.bound * Math.sqrt(3) : 0.1;
        values[i] = uniform(-bound, bound);
      }
    }
    dict[spec.name] = tf.tensor(values, [...spec.torchShape]);
    ref[spec.name] = nd([...spec.torchShape], values);
  }
  return { dict, ref };
}

export function randomData(shape: number[], seed: number): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = next() * 2 - 1;
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: Nd | ArrayLike<number>): number {
  const bd = 'data' in b ? b.data : b;
  if (a.length !== bd.length) throw new Error(`maxAbsDiff: lengths ${a.length} vs ${bd.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - bd[i]!));
  return m;
}

export function disposeDict(dict: StateDict): void {
  tf.dispose(Object.values(dict));
}
