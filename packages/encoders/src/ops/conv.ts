import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGradAsForwardConv, TFJS_FILTER_GRAD_PRIMITIVES } from '@ccl/base';

/**
 * Every convolution of @ccl/encoders goes through this module, so a faster kernel (a real conv3d, a fused
 * WebGPU kernel) can replace these implementations in one place.
 *
 * Why conv2d over reshaped tensors: on tfjs 4.22 conv3d is missing or has wrong gradients on some
 * backends (WASM), while conv2d and its gradients are available and correct everywhere. A factorised
 * (2+1)D convolution (Tran et al., "A Closer Look at Spatiotemporal Convolutions for Action
 * Recognition", CVPR 2018) only needs a 1 x k x k spatial conv (= conv2d over frames, B and T merged)
 * and a t x 1 x 1 temporal conv (= conv2d with a [t, 1] kernel over [B, T, H*W, C]).
 *
 * Padding is explicit zero padding (torch's `padding=`), done by the convolution itself (tfjs explicit padding).
 */

/** tfjs's explicit conv padding: [[0, 0], [top, bottom], [left, right], [0, 0]] (NHWC). */
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Symmetric zero padding [ph, pw] of the two spatial dims of an NHWC conv, in tfjs's explicit form. */
function explicitPadding(padding: [number, number]): ExplicitPadding {
  return [
    [0, 0],
    [padding[0], padding[0]],
    [padding[1], padding[1]],
    [0, 0],
  ];
}

/** Options of `conv2d`. */
export interface Conv2dOptions {
  /**
   * Inference only: a per-output-channel bias [Cout] and/or a ReLU applied in the convolution's epilogue
   * (tfjs's fused conv2d: one kernel instead of three passes). Used for BatchNorm folded into the weights
   * in eval mode (FactorisedConv). Gradients then are tfjs's own fused-conv gradients.
   */
  readonly bias?: tf.Tensor1D;
  readonly relu?: boolean;
  /**
   * Compute the gradient with respect to the input (default true). False for a layer whose input is data
   * (a network's stem), whose input gradient nobody uses: the backward pass then skips that convolution
   * (up to 15 % of an r2plus1d-18 step on WASM, docs/performance.md) and returns zeros for it.
   */
  readonly inputGradient?: boolean;
}

/**
 * torch `nn.Conv2d(bias=False)` on channels-last input.
 * out = floor((H + 2 pad - k) / stride) + 1 per spatial dim.
 *
 * The padding is the convolution's own (explicit padding), so no padded copy of x is made or kept for the
 * backward pass. Gradients: the filter gradient is `conv2dFilterGrad` (a forward convolution), the input
 * gradient tfjs's conv2dTranspose (the backend's Conv2DBackpropInput).
 *
 * @param x [N, H, W, Cin]
 * @param kernel [kh, kw, Cin, Cout] (torch [Cout, Cin, kh, kw] transposed)
 * @param stride [sh, sw]
 * @param padding [ph, pw] symmetric zero padding
 * @returns [N, H', W', Cout]
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: [number, number], padding: [number, number], options: Conv2dOptions = {}): tf.Tensor4D {
  const pad = padding[0] === 0 && padding[1] === 0 ? 'valid' : explicitPadding(padding);
  if (options.bias !== undefined || options.relu) {
    return tf.fused.conv2d({ x, filter: kernel, strides: stride, pad, bias: options.bias, activation: options.relu ? 'relu' : 'linear' });
  }
  const inputGradient = options.inputGradient ?? true;
  const op = tf.customGrad(((xIn: tf.Tensor4D, kIn: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xIn, kIn]);
    return {
      value: tf.conv2d(xIn, kIn, stride, pad),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ks] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = inputGradient ? tf.conv2dTranspose(dy, ks, xs.shape, stride, pad) : tf.zerosLike(xs);
        const dk = conv2dFilterGrad(xs, dy, [ks.shape[0], ks.shape[1]], stride, padding);
        return [dx, dk];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return op(x, kernel);
}

/**
 * Filter gradient of conv2d as one forward convolution (batch and channels trade places, dy is the filter
 * dilated by the stride): `conv2dFilterGradAsForwardConv` of @ccl/base, the plan the WASM
 * Conv2DBackpropFilter kernel of @ccl/backends runs too, here over tfjs ops. tfjs's own
 * Conv2DBackpropFilter is a naive loop on the pure-JS backend (~340x slower than a forward conv of the
 * same size) and missing on WASM; forward convolutions are fast everywhere.
 *
 * @param x [N, H, W, Cin] (not padded)
 * @param dy [N, H', W', Cout]
 * @param padding [ph, pw] the forward conv's symmetric zero padding
 * @returns [kh, kw, Cin, Cout]
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kernelSize: [number, number],
  stride: [number, number],
  padding: [number, number] = [0, 0],
): tf.Tensor4D {
  return tf.tidy(
    () =>
      conv2dFilterGradAsForwardConv(TFJS_FILTER_GRAD_PRIMITIVES, x, dy, {
        kernelHeight: kernelSize[0],
        kernelWidth: kernelSize[1],
        strideHeight: stride[0],
        strideWidth: stride[1],
        padTop: padding[0],
        padLeft: padding[1],
      }) as tf.Tensor4D,
  );
}

/**
 * Spatial part of a (2+1)D conv: torch `Conv3d(kernel=(1, kh, kw), stride=(1, s, s), padding=(0, p, p))`
 * computed as conv2d over the B*T frames.
 *
 * @param x [B, T, H, W, Cin]
 * @param kernel [kh, kw, Cin, M]
 * @returns [B, T, H', W', M]
 */
export function spatialConv(x: tf.Tensor5D, kernel: tf.Tensor4D, stride: number, padding: number, options: Conv2dOptions = {}): tf.Tensor5D {
  const [b, t, h, w, c] = x.shape;
  const frames = tf.reshape(x, [b * t, h, w, c]) as tf.Tensor4D; // [B*T, H, W, Cin]
  const y = conv2d(frames, kernel, [stride, stride], [padding, padding], options); // [B*T, H', W', M]
  return tf.reshape(y, [b, t, y.shape[1], y.shape[2], y.shape[3]]) as tf.Tensor5D;
}

/**
 * Temporal part of a (2+1)D conv: torch `Conv3d(kernel=(kt, 1, 1), stride=(s, 1, 1), padding=(p, 0, 0))`
 * computed as conv2d with a [kt, 1] kernel over [B, T, H*W, C] (T plays the image-height role).
 *
 * @param x [B, T, H, W, M]
 * @param kernel [kt, 1, M, Cout]
 * @returns [B, T', H, W, Cout]
 */
export function temporalConv(x: tf.Tensor5D, kernel: tf.Tensor4D, stride: number, padding: number, options: Conv2dOptions = {}): tf.Tensor5D {
  const [b, t, h, w, c] = x.shape;
  const series = tf.reshape(x, [b, t, h * w, c]) as tf.Tensor4D; // [B, T, H*W, M]
  const y = conv2d(series, kernel, [stride, 1], [padding, 0], options); // [B, T', H*W, Cout]
  return tf.reshape(y, [b, y.shape[1], h, w, y.shape[3]]) as tf.Tensor5D;
}

/**
 * torch `nn.MaxPool2d(kernel, stride, padding)` on channels-last input (padding never wins the max).
 *
 * @param x [N, H, W, C]
 * @returns [N, H', W', C]
 */
export function maxPool2d(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  return tf.maxPool(x, kernel, stride, padding === 0 ? 'valid' : padding);
}

/**
 * torch `F.avg_pool2d(x, kernel)` (stride = kernel, no padding, floor) on channels-last input.
 *
 * @param x [N, H, W, C]
 * @returns [N, floor(H / kh), floor(W / kw), C]
 */
export function avgPool2d(x: tf.Tensor4D, kernel: [number, number]): tf.Tensor4D {
  if (kernel[0] === 1 && kernel[1] === 1) return x;
  return tf.avgPool(x, kernel, kernel, 'valid');
}

/**
 * torch `nn.Conv1d(1, K, nFft, stride=hop, bias=False)` over a mono signal: the framed DFT of
 * torchlibrosa's STFT.
 *
 * @param x [B, L]
 * @param kernel [nFft, 1, K]
 * @returns [B, floor((L - nFft) / hop) + 1, K]
 */
export function framedConv1d(x: tf.Tensor2D, kernel: tf.Tensor3D, hop: number): tf.Tensor3D {
  const signal = tf.reshape(x, [x.shape[0], x.shape[1], 1]) as tf.Tensor3D; // [B, L, 1]
  return tf.conv1d(signal, kernel, hop, 'valid');
}
