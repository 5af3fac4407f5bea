import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { KernelCalls, type BufferBackend } from './wasm-calls';

const FILE = 'kernels/conv2d-backprop-filter.ts';

/** Largest im2col block (floats) built at once: 16 Mi floats = 64 MiB of WASM heap. */
export const IM2COL_BLOCK_FLOATS = 1 << 24;

/**
 * Conv2DBackpropFilter (the filter gradient of an NHWC conv2d) as im2col + ONE plain matrix product per
 * block of taps, on the backend's fast (untransposed) batched matmul.
 *
 * Forward (stride s, top/left pads p, q):  y[n, o, o', co] = sum_{i, j, ci} x[n, o s + i - p, o' s + j - q, ci] w[i, j, ci, co]
 * Filter gradient:  dW[i, j, ci, co] = sum_{n, o, o'} x[n, o s + i - p, o' s + j - q, ci] dy[n, o, o', co]
 * With x_T = x transposed to [Cin, N, H, W] and zero padded, the tap (i, j) is the strided window
 * X_ij = x_T[:, :, i : i + s (Ho - 1) + 1 : s, j : ...] viewed as [Cin, P], P = N Ho Wo, so
 *     dW[i, j] = X_ij · dy_P,   dy_P = dy viewed as [P, Cout]
 * and stacking the taps row-wise, [X_00; X_01; ...] · dy_P = dW viewed as [kh kw Cin, Cout] (the filter
 * layout itself: no output transpose). Taps are stacked in blocks of at most IM2COL_BLOCK_FLOATS floats.
 * A 1 x 1, stride-1, unpadded conv needs no window at all: dW = x_T · dy_P.
 *
 * inputs: x [N, H, W, Cin], dy [N, Ho, Wo, Cout];  attrs: strides, pad, filterShape, ...
 * output: dW [kh, kw, Cin, Cout]
 */
export function conv2dBackpropFilterViaMatMul(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
  backendName: string,
): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const k = new KernelCalls(args.backend as BufferBackend, backendName);
  const filterShape = attrs.filterShape as [number, number, number, number];
  const g = convGeometry(FILE, x.shape as [number, number, number, number], filterShape, attrs.strides as [number, number], attrs.pad, attrs.dataFormat, attrs.dimRoundingMode);
  if (dy.shape.length !== 4 || dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`${FILE}: dy has shape [${dy.shape.join(', ')}], expected [${g.batch}, ${g.outHeight}, ${g.outWidth}, ${g.outChannels}]`);
  }
  const { batch: n, inChannels: cin, outChannels: cout, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const p = n * ho * wo;
  const owned: tf.TensorInfo[] = [];
  try {
    const dyP = k.reshape(dy, [p, cout]); // [P, Cout]
    owned.push(dyP);
    let xT = k.transpose(x, [3, 0, 1, 2]); // [Cin, N, H, W]
    owned.push(xT);
    // Rows / columns the taps reach: (Ho - 1) sh + kh after padding; pad what lies outside x.
    const padBottom = Math.max(0, (ho - 1) * sh + kh - g.inHeight - g.padTop);
    const padRight = Math.max(0, (wo - 1) * sw + kw - g.inWidth - g.padLeft);
    if (g.padTop > 0 || g.padLeft > 0 || padBottom > 0 || padRight > 0) {
      xT = k.pad(xT, [[0, 0], [0, 0], [g.padTop, padBottom], [g.padLeft, padRight]]);
      owned.push(xT);
    }
    const taps: Array<[number, number]> = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push([i, j]);
    const tapsPerBlock = Math.max(1, Math.floor(IM2COL_BLOCK_FLOATS / (cin * p)));
    const blocks: tf.TensorInfo[] = [];
    for (let start = 0; start < taps.length; start += tapsPerBlock) {
      const windows = taps.slice(start, start + tapsPerBlock).map(([i, j]) => {
        const win = tapWindow(k, xT, i, j, ho, wo, sh, sw, owned); // [Cin, N, Ho, Wo]
        const flat = k.reshape(win, [cin, p]); // [Cin, P]
        owned.push(flat);
        return flat;
      });
      let cols = windows[0];
      if (windows.length > 1) {
        cols = k.concat(windows, 0); // [taps Cin, P]
        owned.push(cols);
      }
      const block = k.matMul(cols, dyP); // [taps Cin, Cout]
      blocks.push(block);
      owned.push(block);
    }
    let dw = blocks[0];
    if (blocks.length > 1) {
      dw = k.concat(blocks, 0); // [kh kw Cin, Cout]
      owned.push(dw);
    }
    return k.reshape(dw, filterShape); // [kh, kw, Cin, Cout]
  } finally {
    k.release(...owned);
  }
}

/** x_T[:, :, i : i + sh (Ho - 1) + 1 : sh, j : j + sw (Wo - 1) + 1 : sw] -> [Cin, N, Ho, Wo]. */
function tapWindow(
  k: KernelCalls,
  xT: tf.TensorInfo,
  i: number,
  j: number,
  ho: number,
  wo: number,
  sh: number,
  sw: number,
  owned: tf.TensorInfo[],
): tf.TensorInfo {
  const [cin, n, hp, wp] = xT.shape;
  if (i === 0 && j === 0 && hp === ho && wp === wo) return xT; // 1 x 1, stride 1: the whole input
  const win =
    sh === 1 && sw === 1
      ? k.slice(xT, [0, 0, i, j], [cin, n, ho, wo])
      : k.stridedSlice(xT, [0, 0, i, j], [cin, n, i + sh * (ho - 1) + 1, j + sw * (wo - 1) + 1], [1, 1, sh, sw]);
  owned.push(win);
  return win;
}
