import * as tf from '@tensorflow/tfjs-core';

/**
 * The filter gradient of an NHWC conv2d as ONE forward convolution, written once over five tensor
 * primitives so that both places that need it run the same plan: `@ccl/encoders`' `conv2d` op (over tfjs
 * ops, on any backend) and `@ccl/backends`' WASM `Conv2DBackpropFilter` kernel (over kernel calls, for
 * tfjs's own and the fused conv2d gradients).
 *
 * Forward (stride sh, sw; top / left zero pads pt, pl):
 *     y[n, o, o', co] = sum_{i, j, ci} x[n, o sh + i - pt, o' sw + j - pl, ci] w[i, j, ci, co]
 * Filter gradient, with x_p = x zero padded:
 *     dW[i, j, ci, co] = sum_{n, o, o'} x_p[n, i + sh o, j + sw o', ci] dy[n, o, o', co]
 *                      = conv2d(x^T [Cin, H, W, N], dy^T [Ho, Wo, N, Cout], stride 1, dilation (sh, sw))[ci, i, j, co]
 * The batch plays the channel role and dy is the filter, dilated by the stride. The conv's output is
 * [Cin, >= kh, >= kw, Cout] (rows the forward conv never reached are cropped), transposed to [kh, kw, Cin, Cout].
 *
 * When the kernel is one column wide with no column stride or padding (kw = 1, sw = 1, pl = 0: the temporal
 * half of a (2+1)D conv), W is folded into the reduction channels too: x^T [Cin, H, 1, N W] and
 * dy^T [Ho, 1, N W, Cout], N W input channels and Ho taps instead of N channels and Ho Wo taps, a shape
 * the backends' convolutions run several times faster (measured on WASM: docs/performance.md).
 *
 * Why not the backends' own Conv2DBackpropFilter: it is a naive loop on the pure-JS backend (measured 340x
 * slower than the forward conv of the same size, 71 s vs 0.21 s for [32,16,16,32] with a 3x3 kernel) and
 * missing on WASM; forward convolutions are fast everywhere. Against im2col + matmul on WASM this form is
 * equal at stride 1 and ~15x faster at stride 2 (docs/performance.md).
 */

/** The tensor operations the plan is written in, over any tensor handle (a tfjs Tensor, a kernel's TensorInfo). */
export interface FilterGradPrimitives<T> {
  shape(t: T): readonly number[];
  transpose(t: T, perm: number[]): T;
  reshape(t: T, shape: number[]): T;
  /** NHWC conv2d, stride 1, zero pads [[top, bottom], [left, right]] (all >= 0), dilations [dh, dw]. */
  conv2d(x: T, filter: T, pads: [[number, number], [number, number]], dilations: [number, number]): T;
  slice(t: T, begin: number[], size: number[]): T;
}

/** tfjs ops as the primitives (the op path: `@ccl/encoders`' conv2d gradient); call the plan inside `tf.tidy`. */
export const TFJS_FILTER_GRAD_PRIMITIVES: FilterGradPrimitives<tf.Tensor> = {
  shape: (t) => t.shape,
  transpose: (t, perm) => tf.transpose(t, perm),
  reshape: (t, shape) => tf.reshape(t, shape),
  conv2d: (x, filter, pads, dilations) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, [[0, 0], pads[0], pads[1], [0, 0]], 'NHWC', dilations),
  slice: (t, begin, size) => tf.slice(t, begin, size),
};

/** The forward convolution's geometry that the filter gradient depends on. */
export interface FilterGradGeometry {
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** zero rows / columns the forward conv adds before the input (the padding after it follows from the shapes) */
  padTop: number;
  padLeft: number;
}

/**
 * dW of a conv2d from its input and output gradient. Every intermediate the primitives return is left to
 * the caller to dispose (an op runs this in `tf.tidy`; a kernel releases what its primitives allocated).
 *
 * @param x [N, H, W, Cin] the forward conv's input (not padded)
 * @param dy [N, Ho, Wo, Cout] the gradient of its output
 * @returns [kh, kw, Cin, Cout]
 */
export function conv2dFilterGradAsForwardConv<T>(ops: FilterGradPrimitives<T>, x: T, dy: T, g: FilterGradGeometry): T {
  const [n, h, w, cin] = ops.shape(x) as [number, number, number, number];
  const [, ho, wo, cout] = ops.shape(dy) as [number, number, number, number];
  const { kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  // Rows / columns the taps reach, (Ho - 1) sh + kh from the top of the padded input: pad what lies past x.
  const padBottom = Math.max(0, (ho - 1) * sh + kh - h - padTop);
  const padRight = Math.max(0, (wo - 1) * sw + kw - w - padLeft);
  // The fold needs no column padding or stride (kw = 1, sw = 1, pl = pr = 0), so both forms take the same conv arguments.
  const fold = kw === 1 && sw === 1 && padLeft === 0 && padRight === 0;
  const xT = fold ? ops.reshape(ops.transpose(x, [3, 1, 0, 2]), [cin, h, 1, n * w]) : ops.transpose(x, [3, 1, 2, 0]); // [Cin, H, 1, N*W] or [Cin, H, W, N]
  const dyT = fold ? ops.reshape(ops.transpose(dy, [1, 0, 2, 3]), [ho, 1, n * w, cout]) : ops.transpose(dy, [1, 2, 0, 3]); // [Ho, 1, N*W, Cout] or [Ho, Wo, N, Cout]
  const pads: [[number, number], [number, number]] = [
    [padTop, padBottom],
    [padLeft, padRight],
  ];
  const full = ops.conv2d(xT, dyT, pads, [sh, sw]); // [Cin, >= kh, >= kw, Cout]
  const [, fh, fw] = ops.shape(full);
  const k = fh === kh && fw === kw ? full : ops.slice(full, [0, 0, 0, 0], [cin, kh, kw, cout]); // [Cin, kh, kw, Cout]
  return ops.transpose(k, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
}
