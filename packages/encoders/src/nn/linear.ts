import * as tf from '@tensorflow/tfjs-core';
import { identityLayout } from './layouts';
import type { Param, ParameterStore } from './parameters';

/**
 * torch `nn.Linear(in, out)`: y = x W^T + b, W kept in torch's [out, in] layout.
 * Init as torch: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
 */
export class Linear {
  readonly weight: Param; // [out, in]
  readonly bias: Param; // [out]

  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = store.add({ name: `${name}.weight`, torchShape: [outFeatures, inFeatures], layout: identityLayout, trainable: true, init: { kind: 'uniform', bound } });
    this.bias = store.add({ name: `${name}.bias`, torchShape: [outFeatures], layout: identityLayout, trainable: true, init: { kind: 'uniform', bound } });
  }

  /**
   * @param x [B, in]
   * @returns [B, out]
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`${this.name}: expected input [B, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    return tf.add(tf.matMul(x, this.weight.variable as tf.Tensor2D, false, true), this.bias.variable);
  }
}
