import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGradAsForwardConv, type FilterGradPrimitives } from '@ccl/base';
import { convGeometry } from './conv-geometry';
import { KernelCalls, type BufferBackend } from './wasm-calls';

const FILE = 'kernels/wasm/conv2d-backprop-filter.ts';

/**
 * Conv2DBackpropFilter (the filter gradient of an NHWC conv2d) as ONE forward convolution: the plan of
 * `conv2dFilterGradAsForwardConv` (@ccl/base, where the derivation is), the same one the encoders' conv2d
 * op runs over tfjs ops, here over the WASM backend's own kernels.
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
  // every buffer the plan allocates; all but its result are released
  const owned: tf.TensorInfo[] = [];
  const own = (t: tf.TensorInfo): tf.TensorInfo => (owned.push(t), t);
  const primitives: FilterGradPrimitives<tf.TensorInfo> = {
    shape: (t) => t.shape,
    transpose: (t, perm) => own(k.transpose(t, perm)),
    reshape: (t, shape) => own(k.reshape(t, shape)),
    conv2d: (input, filter, pads, dilations) => own(k.conv2d(input, filter, [1, 1], pads, dilations)),
    slice: (t, begin, size) => own(k.slice(t, begin, size)),
  };
  let result: tf.TensorInfo | undefined;
  try {
    result = conv2dFilterGradAsForwardConv(primitives, x, dy, {
      kernelHeight: g.filterHeight,
      kernelWidth: g.filterWidth,
      strideHeight: g.strideHeight,
      strideWidth: g.strideWidth,
      padTop: g.padTop,
      padLeft: g.padLeft,
    });
    return result;
  } finally {
    k.release(...owned.filter((t) => t !== result));
  }
}
