import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '../ops/batchnorm';
import type { ForwardContext } from './context';
import { identityLayout } from './layouts';
import type { Param, ParameterStore } from './parameters';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * torch `nn.BatchNorm{1,2,3}d(channels)` over the last (channels) axis of a channels-last tensor.
 *
 * Train mode (Ioffe & Szegedy 2015; torch semantics):
 *     mu = mean(x), var = mean((x - mu)^2) over every axis but the last (biased, used to normalise)
 *     running_mean <- (1 - m) running_mean + m mu
 *     running_var  <- (1 - m) running_var  + m var * n / (n - 1)   (unbiased, n = elements per channel)
 *     num_batches_tracked += 1,  m = 0.1
 * Eval mode: mu, var <- running_mean, running_var.
 *     y = (x - mu) / sqrt(var + eps) * weight + bias,  eps = 1e-5
 *
 * The running-statistic update is an `assign` of non-trainable variables: it does not lead to the output,
 * so it is not part of the gradient; it works inside tf.variableGrads / tf.tidy and leaves no tensor behind.
 * Train mode runs `batchNormTrain` (ops/batchnorm.ts): one op with a hand-written gradient that keeps only
 * the input (and the output when a ReLU is fused) for the backward pass.
 */
export class BatchNorm {
  readonly weight: Param;
  readonly bias: Param;
  readonly runningMean: Param;
  readonly runningVar: Param;
  /** torch's `num_batches_tracked` buffer (exported in state dicts, restored by the encoder's loadStateDict). */
  numBatchesTracked = 0;

  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly channels: number,
  ) {
    const vec = [channels];
    this.weight = store.add({ name: `${name}.weight`, torchShape: vec, layout: identityLayout, trainable: true, init: { kind: 'constant', value: 1 } });
    this.bias = store.add({ name: `${name}.bias`, torchShape: vec, layout: identityLayout, trainable: true, init: { kind: 'constant', value: 0 } });
    this.runningMean = store.add({
      name: `${name}.running_mean`,
      torchShape: vec,
      layout: identityLayout,
      trainable: false,
      init: { kind: 'constant', value: 0 },
    });
    this.runningVar = store.add({
      name: `${name}.running_var`,
      torchShape: vec,
      layout: identityLayout,
      trainable: false,
      init: { kind: 'constant', value: 1 },
    });
  }

  /**
   * @param x [..., C] channels last
   * @param options `relu: true` applies max(., 0) to the output (fused into the train-mode gradient)
   * @returns same shape
   */
  apply<T extends tf.Tensor>(x: T, ctx: ForwardContext, options: { relu?: boolean } = {}): T {
    const c = x.shape[x.shape.length - 1];
    if (c !== this.channels) throw new Error(`${this.name}: expected ${this.channels} channels in the last axis, got shape [${x.shape.join(', ')}]`);
    const shape = x.shape;
    const rows = tf.reshape(x, [x.size / c, c]) as tf.Tensor2D; // [n, C]
    if (ctx.training) {
      const n = rows.shape[0];
      if (n < 2) throw new Error(`${this.name}: training-mode BatchNorm needs more than 1 value per channel, got input shape [${shape.join(', ')}]`);
      const y = batchNormTrain(rows, this.weight.variable as tf.Tensor1D, this.bias.variable as tf.Tensor1D, {
        eps: BN_EPS,
        relu: options.relu,
        onStatistics: (mean, variance) => this.updateRunningStats(mean, variance, n),
      }); // [n, C]
      return tf.reshape(y, shape) as T;
    }
    const mean = this.runningMean.variable as tf.Tensor1D;
    const variance = this.runningVar.variable as tf.Tensor1D;
    const scale = tf.mul(this.weight.variable, tf.rsqrt(tf.add(variance, BN_EPS))); // [C]
    const y = tf.add(tf.mul(tf.sub(rows, mean), scale), this.bias.variable); // [n, C]
    return tf.reshape(options.relu ? tf.relu(y) : y, shape) as T;
  }

  /** The last folding (foldInto), valid while the kernel and this layer's variables keep their buffers. */
  private folded: { sources: tf.DataId[]; kernel: tf.Tensor; bias: tf.Tensor1D } | null = null;

  /**
   * Eval-mode BatchNorm folded into the preceding bias-free convolution: with s = weight / sqrt(var + eps),
   *     bn(conv(x, K)) = conv(x, K s) + (bias - mean s)
   * (s scales the output-channel axis, the last of K).
   *
   * The result is cached (and owned by this layer: do not dispose it) until the kernel or any of this
   * layer's variables changes buffer (a Variable's assign swaps its buffer): a new kernel tensor per call
   * would make the WASM backend repack the weights for XNNPACK on every forward pass (measured: slower
   * than not folding at width 1). `releaseFolded()` frees it; the encoder's dispose calls that.
   *
   * @param kernel [..., C] a conv kernel whose last axis is this BatchNorm's channels
   */
  foldInto(kernel: tf.Tensor): { kernel: tf.Tensor; bias: tf.Tensor1D } {
    const c = kernel.shape[kernel.shape.length - 1];
    if (c !== this.channels) throw new Error(`${this.name}: cannot fold into a kernel with ${c} output channels (expected ${this.channels})`);
    const sources = [kernel, this.weight.variable, this.bias.variable, this.runningMean.variable, this.runningVar.variable].map((t) => t.dataId);
    if (this.folded !== null && !this.folded.kernel.isDisposed && this.folded.sources.every((id, i) => id === sources[i])) return this.folded;
    this.releaseFolded();
    const folded = tf.tidy(() => {
      const scale = tf.mul(this.weight.variable, tf.rsqrt(tf.add(this.runningVar.variable, BN_EPS))) as tf.Tensor1D; // [C]
      return {
        kernel: tf.keep(tf.mul(kernel, scale)),
        bias: tf.keep(tf.sub(this.bias.variable, tf.mul(this.runningMean.variable, scale)) as tf.Tensor1D),
      };
    });
    this.folded = { sources, ...folded };
    return folded;
  }

  /** Frees the cached folding of foldInto (if any). */
  releaseFolded(): void {
    if (this.folded === null) return;
    tf.dispose([this.folded.kernel, this.folded.bias]);
    this.folded = null;
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    tf.tidy(() => {
      const m = BN_MOMENTUM;
      const unbiased = tf.mul(variance, n / (n - 1));
      this.runningMean.variable.assign(tf.add(tf.mul(this.runningMean.variable, 1 - m), tf.mul(mean, m)));
      this.runningVar.variable.assign(tf.add(tf.mul(this.runningVar.variable, 1 - m), tf.mul(unbiased, m)));
    });
    this.numBatchesTracked += 1;
  }
}
