import * as tf from '@tensorflow/tfjs-core';

/**
 * A torch-style Linear layer: y = x W^T + b with W stored as torch stores it, [out, in].
 * Initialised as torch does by default (kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)) for the
 * weight, the same bound for the bias), from an explicit seed. tfjs variable names are global, so the
 * variables get engine-unique names; `name` is the torch prefix used in state dicts.
 */
export class Linear {
  readonly weight: tf.Variable; // [out, in]
  readonly bias: tf.Variable; // [out]

  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    seed: number,
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = tf.tidy(() => tf.variable(tf.randomUniform([outFeatures, inFeatures], -bound, bound, 'float32', seed), true)); // tidy drops the initial tensor's handle
    this.bias = tf.tidy(() => tf.variable(tf.randomUniform([outFeatures], -bound, bound, 'float32', seed + 1), true));
  }

  /** x [B, in] -> [B, out] */
  apply(x: tf.Tensor2D, params: { weight: tf.Tensor; bias: tf.Tensor } = this): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x, params.weight as tf.Tensor2D, false, true), params.bias));
  }

  get variables(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}
