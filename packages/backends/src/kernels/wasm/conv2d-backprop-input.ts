import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { conv2dBackpropInputByPhases } from './conv2d-backprop-input-phases';
import { KernelCalls, type BufferBackend } from './wasm-calls';

const FILE = 'kernels/wasm/conv2d-backprop-input.ts';

/**
 * Conv2DBackpropInput (the input gradient of an NHWC conv2d) as forward convolutions, so that it runs
 * on the backend's fastest primitive (XNNPACK's convolution on WASM) instead of a direct loop: one conv
 * at stride 1, one per phase at stride > 1 (conv2d-backprop-input-phases.ts).
 *
 * Forward (stride s, top pad p, kernel k):  y[o] = sum_i x[o s + i - p] w[i]
 * Input gradient:                           dx[h] = sum_{o, i : o s + i - p = h} dy[o] w[i]
 * With dy_z = dy with s - 1 zeros inserted after every element (dy_z[o s] = dy[o]) and w_r = w flipped
 * in both spatial axes with its channel axes swapped ([kh, kw, Cout, Cin]):
 *     dx[h] = sum_j dy_z[h + j - (k - 1 - p)] w_r[j]
 * i.e. a stride-1 'valid' correlation of dy_z padded by k - 1 - p rows on top (and as many at the bottom
 * as make the output H rows long); negative pads become crops. (Dumoulin & Visin, "A guide to convolution
 * arithmetic for deep learning", 2016, section 4.) At stride > 1 the zeros of dy_z are never built: the
 * phase decomposition computes the same sums with the forward conv's multiply-adds.
 *
 * inputs: dy [N, Ho, Wo, Cout], filter [kh, kw, Cin, Cout];  attrs: strides, pad, inputShape, ...
 * output: dx [N, H, W, Cin]
 */
export function conv2dBackpropInputViaConv(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
  backendName: string,
): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const k = new KernelCalls(args.backend as BufferBackend, backendName);
  const g = convGeometry(
    FILE,
    attrs.inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dataFormat,
    attrs.dimRoundingMode,
  );
  if (dy.shape.length !== 4 || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`${FILE}: dy has shape [${dy.shape.join(', ')}], expected [${g.batch}, ${g.outHeight}, ${g.outWidth}, ${g.outChannels}]`);
  }
  const owned: tf.TensorInfo[] = [];
  try {
    if (g.strideHeight > 1 || g.strideWidth > 1) return conv2dBackpropInputByPhases(k, dy, filter, g, owned);
    let src = dy; // [N, Ho, Wo, Cout]
    const rows = cropOrPad(g.filterHeight - 1 - g.padTop, g.inHeight, g.filterHeight, src.shape[1]);
    const cols = cropOrPad(g.filterWidth - 1 - g.padLeft, g.inWidth, g.filterWidth, src.shape[2]);
    if (rows.crop[0] > 0 || rows.crop[1] < src.shape[1] || cols.crop[0] > 0 || cols.crop[1] < src.shape[2]) {
      src = k.slice(src, [0, rows.crop[0], cols.crop[0], 0], [g.batch, rows.crop[1] - rows.crop[0], cols.crop[1] - cols.crop[0], g.outChannels]);
      owned.push(src);
    }
    // Flipping both spatial axes of [kh, kw, ...] reverses the flattened tap index i kw + j.
    const taps = k.reshape(filter, [g.filterHeight * g.filterWidth, g.inChannels, g.outChannels]); // [kh kw, Cin, Cout]
    owned.push(taps);
    const flippedTaps = k.reverseRows(taps);
    owned.push(flippedTaps);
    const swapped = k.transpose(flippedTaps, [0, 2, 1]); // [kh kw, Cout, Cin]
    owned.push(swapped);
    const rotated = k.reshape(swapped, [g.filterHeight, g.filterWidth, g.outChannels, g.inChannels]); // [kh, kw, Cout, Cin]
    owned.push(rotated);
    return k.conv2d(src, rotated, [1, 1], [rows.pad, cols.pad]); // [N, H, W, Cin]
  } finally {
    k.release(...owned);
  }
}

/**
 * Along one spatial axis: the stride-1 conv needs `before` = k - 1 - p rows before the source and
 * enough after it that the output has `outLen` rows. Positive amounts are conv padding, negative ones
 * crop the source.
 */
function cropOrPad(before: number, outLen: number, k: number, srcLen: number): { crop: [number, number]; pad: [number, number] } {
  const after = outLen + k - 1 - srcLen - before;
  return {
    crop: [Math.max(0, -before), srcLen - Math.max(0, -after)],
    pad: [Math.max(0, before), Math.max(0, after)],
  };
}
