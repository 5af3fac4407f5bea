import * as tf from '@tensorflow/tfjs-core';
import { uniformArray, type Rng } from '@ccl/base';
import { expectPositiveInt } from './common';

/**
 * A trainable affine map y = x W + b with W [in, out] (tfjs layout; torch's Linear stores W^T as [out, in])
 * and b [out], initialised as torch's nn.Linear: W, b ~ U(-1/sqrt(in), 1/sqrt(in)), from a seeded
 * plain-JS generator so that a seed gives the same weights on every backend.
 */
export class LinearMap {
  // initial values are made inside tf.tidy: the variable keeps the data, the temporary tensor is freed
  readonly weight: tf.Variable<tf.Rank.R2>; // [in, out]
  readonly bias: tf.Variable<tf.Rank.R1>; // [out]

  /** `name`: variable name prefix (`<name>/weight`, `<name>/bias`); unnamed variables get tfjs's numeric names. */
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    file = 'kd/linear.ts',
    name?: string,
  ) {
    expectPositiveInt(file, 'input dimension', inDim);
    expectPositiveInt(file, 'output dimension', outDim);
    const bound = 1 / Math.sqrt(inDim);
    this.weight = tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(rng, inDim * outDim, -bound, bound), [inDim, outDim]), true, name && `${name}/weight`));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(rng, outDim, -bound, bound)), true, name && `${name}/bias`));
  }

  /** x [B, in] -> [B, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x, this.weight), this.bias));
  }

  get variables(): tf.Variable[] {
    return [this.weight, this.bias];
  }
}
