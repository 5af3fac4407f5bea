import type * as tf from '@tensorflow/tfjs-core';
import { conv2d, type Conv2dOptions } from '../ops/conv';
import { conv2dLayout } from './layouts';
import type { Param, ParameterStore } from './parameters';

/**
 * torch `nn.Conv2d(in, out, k, stride, padding, bias=False)` on channels-last input; weight torch
 * [out, in, k, k], tfjs [k, k, in, out]. Init as torch: U(-1/sqrt(in k^2), 1/sqrt(in k^2)).
 */
export class Conv2d {
  readonly weight: Param;

  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly stride: number,
    readonly padding: number,
    /** `inputGradient: false` for a stem whose input is data (see ops/conv.ts). */
    private readonly options: Conv2dOptions = {},
  ) {
    this.weight = store.add({
      name: `${name}.weight`,
      torchShape: [outChannels, inChannels, kernel, kernel],
      layout: conv2dLayout,
      trainable: true,
      init: { kind: 'uniform', bound: 1 / Math.sqrt(inChannels * kernel * kernel) },
    });
  }

  /**
   * @param x [N, H, W, in]
   * @returns [N, H', W', out]
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return conv2d(x, this.weight.variable as tf.Tensor4D, [this.stride, this.stride], [this.padding, this.padding], this.options);
  }
}
