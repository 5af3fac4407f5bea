import type * as tf from '@tensorflow/tfjs-core';
import { conv2d, type Conv2dOptions } from '../ops/conv';
import type { BatchNorm } from './batchnorm';
import type { ForwardContext } from './context';
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

  /**
   * bn(conv(x)), then a ReLU when `relu`. Train mode: the conv, then `bn.apply` (batch statistics, fused
   * BN+ReLU gradient). Eval mode: the BatchNorm folded into the weights and the ReLU in the conv's epilogue,
   * one fused kernel (BatchNorm.foldInto).
   *
   * @param x [N, H, W, in]
   * @returns [N, H', W', out]
   */
  applyWithBatchNorm(x: tf.Tensor4D, bn: BatchNorm, ctx: ForwardContext, relu: boolean): tf.Tensor4D {
    if (ctx.training) return bn.apply(this.apply(x), ctx, { relu });
    const folded = bn.foldInto(this.weight.variable); // cached by bn
    return conv2d(x, folded.kernel as tf.Tensor4D, [this.stride, this.stride], [this.padding, this.padding], { bias: folded.bias, relu });
  }
}
