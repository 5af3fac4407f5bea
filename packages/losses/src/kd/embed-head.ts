import * as tf from '@tensorflow/tfjs-core';
import { normalizeRowsFiniteGrad } from './common';
import { LinearMap } from './linear';
import type { Rng } from '@ccl/base';

/** Projection head of CRD/CMC: e = normalise(x W + b), [B, D] -> [B, E] on the unit sphere. */
export class EmbedHead {
  readonly linear: LinearMap;

  constructor(inDim: number, embedDim: number, rng: Rng, file: string, name?: string) {
    this.linear = new LinearMap(inDim, embedDim, rng, file, name);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => normalizeRowsFiniteGrad(this.linear.apply(x)));
  }

  get variables(): tf.Variable[] {
    return this.linear.variables;
  }
}
