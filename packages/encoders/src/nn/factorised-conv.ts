import type * as tf from '@tensorflow/tfjs-core';
import { spatialConv, temporalConv, type Conv2dOptions } from '../ops/conv';
import { BatchNorm } from './batchnorm';
import type { ForwardContext } from './context';
import { spatialConv3dLayout, temporalConv3dLayout } from './layouts';
import type { Param, ParameterStore } from './parameters';

/** Geometry of one factorised (2+1)D convolution. */
export interface FactorisedConvConfig {
  /** torch module path, e.g. `conv3.block1.conv1`. */
  readonly name: string;
  readonly in: number;
  /** intermediate channels M (see intermediateChannels). */
  readonly mid: number;
  readonly out: number;
  /** temporal kernel t and spatial kernel k of the full t x k x k conv. */
  readonly kernel: { readonly t: number; readonly k: number };
  /** temporal stride and spatial stride of the full conv. */
  readonly stride: { readonly t: number; readonly s: number };
  /** temporal and spatial zero padding of the full conv. */
  readonly padding: { readonly t: number; readonly s: number };
}

/**
 * Intermediate channels of a (2+1)D conv that keep the parameter count of the full t x k x k conv
 * (Tran et al., CVPR 2018, eq. 1; the reference's SpatioTemporalConv):
 *     M = floor(t k^2 Cin Cout / (k^2 Cin + t Cout))
 */
export function intermediateChannels(cin: number, cout: number, t: number, k: number): number {
  return Math.floor((t * k * k * cin * cout) / (k * k * cin + t * cout));
}

/**
 * The reference's SpatioTemporalConv (torch names `<name>.spatial_conv.weight`, `<name>.bn.*`,
 * `<name>.temporal_conv.weight`): spatial 1 x k x k conv Cin -> M (stride (1, s, s), pad (0, p, p)),
 * BN(M), ReLU, temporal t x 1 x 1 conv M -> Cout (stride (st, 1, 1), pad (pt, 0, 0)); no conv bias.
 * Weights are initialised like torch's Conv3d default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export class FactorisedConv {
  readonly spatialWeight: Param; // torch [M, Cin, 1, k, k], tfjs [k, k, Cin, M]
  readonly bn: BatchNorm;
  readonly temporalWeight: Param; // torch [Cout, M, t, 1, 1], tfjs [t, 1, M, Cout]

  /**
   * @param options `inputGradient: false` for a stem whose input is data (the spatial conv then skips its
   *   input gradient, see ops/conv.ts)
   */
  constructor(
    store: ParameterStore,
    readonly config: FactorisedConvConfig,
    private readonly options: Conv2dOptions = {},
  ) {
    const { name, in: cin, mid, out, kernel } = config;
    const spatialFanIn = cin * kernel.k * kernel.k;
    this.spatialWeight = store.add({
      name: `${name}.spatial_conv.weight`,
      torchShape: [mid, cin, 1, kernel.k, kernel.k],
      layout: spatialConv3dLayout,
      trainable: true,
      init: { kind: 'uniform', bound: 1 / Math.sqrt(spatialFanIn) },
    });
    this.bn = new BatchNorm(store, `${name}.bn`, mid);
    this.temporalWeight = store.add({
      name: `${name}.temporal_conv.weight`,
      torchShape: [out, mid, kernel.t, 1, 1],
      layout: temporalConv3dLayout,
      trainable: true,
      init: { kind: 'uniform', bound: 1 / Math.sqrt(mid * kernel.t) },
    });
  }

  /**
   * @param x [B, T, H, W, Cin]
   * @returns [B, T', H', W', Cout]
   */
  apply(x: tf.Tensor5D, ctx: ForwardContext): tf.Tensor5D {
    return this.forward(x, ctx, null, false);
  }

  /**
   * bn(this(x)), then a ReLU when `relu`: in eval mode `bn` is folded into the temporal conv and the ReLU
   * runs in its epilogue (one fused kernel); in train mode it is `bn.apply` on the output.
   *
   * @param x [B, T, H, W, Cin]
   * @returns [B, T', H', W', Cout]
   */
  applyWithBatchNorm(x: tf.Tensor5D, bn: BatchNorm, ctx: ForwardContext, relu: boolean): tf.Tensor5D {
    if (ctx.training) return bn.apply(this.forward(x, ctx, null, false), ctx, { relu });
    return this.forward(x, ctx, bn, relu);
  }

  private forward(x: tf.Tensor5D, ctx: ForwardContext, outBn: BatchNorm | null, relu: boolean): tf.Tensor5D {
    const { stride, padding } = this.config;
    let h: tf.Tensor5D; // [B, T, H', W', M]
    if (ctx.training) {
      const s = spatialConv(x, this.spatialWeight.variable as tf.Tensor4D, stride.s, padding.s, this.options); // [B, T, H', W', M]
      h = this.bn.apply(s, ctx, { relu: true });
    } else {
      // eval: BatchNorm folded into the spatial conv, ReLU in its epilogue (one fused kernel)
      const folded = this.bn.foldInto(this.spatialWeight.variable); // cached by the BatchNorm
      h = spatialConv(x, folded.kernel as tf.Tensor4D, stride.s, padding.s, { bias: folded.bias, relu: true });
    }
    if (outBn === null) return temporalConv(h, this.temporalWeight.variable as tf.Tensor4D, stride.t, padding.t); // [B, T', H', W', Cout]
    const folded = outBn.foldInto(this.temporalWeight.variable); // eval only; cached by the BatchNorm
    return temporalConv(h, folded.kernel as tf.Tensor4D, stride.t, padding.t, { bias: folded.bias, relu });
  }
}
