import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { KernelCalls, type BufferBackend } from './wasm-calls';

const FILE = 'kernels/wasm/conv2d-backprop-filter.ts';

/**
 * Conv2DBackpropFilter (the filter gradient of an NHWC conv2d) as ONE forward convolution in which the
 * batch and the input channels trade places and dy is the filter, dilated by the stride:
 *
 * Forward (stride s, top/left pads p, q):  y[n, o, o', co] = sum_{i, j, ci} x[n, o s + i - p, o' s + j - q, ci] w[i, j, ci, co]
 * Filter gradient:  dW[i, j, ci, co] = sum_{n, o, o'} x_p[n, i + s o, j + s o', ci] dy[n, o, o', co]
 *                                   = conv2d(x_T, dy_T, stride 1, dilation s)[ci, i, j, co]
 * with x_p = x zero padded by (p, q), x_T = x_p transposed to [Cin, H, W, N] (N plays the channel role)
 * and dy_T = dy transposed to [Ho, Wo, N, Cout] (a Ho x Wo filter). The conv's output is [Cin, >= kh,
 * >= kw, Cout] (rows the forward conv never reached are cropped) and is transposed to [kh, kw, Cin, Cout].
 *
 * Measured against im2col + matmul on the same backend (docs/performance.md): equal at stride 1, ~15x
 * faster at stride 2 (the WASM strided slice that im2col needs is slow), so this form is used everywhere.
 *
 * inputs: x [N, H, W, Cin], dy [N, Ho, Wo, Cout];  attrs: strides, pad, filterShape, ...
 * output: dW [kh, kw, Cin, Cout]
 */
export function conv2dBackpropFilterViaConv(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
  backendName: string,
): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const k = new KernelCalls(args.backend as BufferBackend, backendName);
  const filterShape = attrs.filterShape as [number, number, number, number];
  const g = convGeometry(
    FILE,
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dataFormat,
    attrs.dimRoundingMode,
  );
  if (dy.shape.length !== 4 || dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`${FILE}: dy has shape [${dy.shape.join(', ')}], expected [${g.batch}, ${g.outHeight}, ${g.outWidth}, ${g.outChannels}]`);
  }
  const { inChannels: cin, outChannels: cout, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const owned: tf.TensorInfo[] = [];
  try {
    let xT = k.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
    owned.push(xT);
    // Rows / columns the taps reach after padding: (Ho - 1) sh + kh; zero-pad what lies outside x.
    const padBottom = Math.max(0, (ho - 1) * sh + kh - g.inHeight - g.padTop);
    const padRight = Math.max(0, (wo - 1) * sw + kw - g.inWidth - g.padLeft);
    if (g.padTop > 0 || g.padLeft > 0 || padBottom > 0 || padRight > 0) {
      xT = k.pad(xT, [
        [0, 0],
        [g.padTop, padBottom],
        [g.padLeft, padRight],
        [0, 0],
      ]);
      owned.push(xT);
    }
    const dyT = k.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Cout]
    owned.push(dyT);
    let full = k.conv2d(
      xT,
      dyT,
      [1, 1],
      [
        [0, 0],
        [0, 0],
      ],
      [sh, sw],
    ); // [Cin, >= kh, >= kw, Cout]
    owned.push(full);
    if (full.shape[1] !== kh || full.shape[2] !== kw) {
      full = k.slice(full, [0, 0, 0, 0], [cin, kh, kw, cout]);
      owned.push(full);
    }
    return k.transpose(full, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
  } finally {
    k.release(...owned);
  }
}
