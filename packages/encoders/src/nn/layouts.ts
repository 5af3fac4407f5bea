import * as tf from '@tensorflow/tfjs-core';

/**
 * How a parameter is stored in tfjs versus in a torch state dict. State dicts always use torch's names and
 * layouts; variables use the layout the ops in ops/conv.ts consume.
 */
export interface WeightLayout {
  readonly name: string;
  /** tfjs shape for a torch shape. */
  tfShape(torchShape: readonly number[]): number[];
  /** torch-layout tensor -> tfjs-layout tensor (new tensor). */
  toTf(torch: tf.Tensor): tf.Tensor;
  /** tfjs-layout tensor -> torch-layout tensor (new tensor). */
  toTorch(value: tf.Tensor, torchShape: readonly number[]): tf.Tensor;
}

/** Same layout on both sides (BN vectors, Linear [out, in] weights, biases). */
export const identityLayout: WeightLayout = {
  name: 'identity',
  tfShape: (s) => [...s],
  toTf: (t) => tf.clone(t),
  toTorch: (t) => tf.clone(t),
};

/** torch Conv2d weight [O, I, kh, kw] <-> tfjs conv2d filter [kh, kw, I, O]. */
export const conv2dLayout: WeightLayout = {
  name: 'conv2d',
  tfShape: ([o, i, kh, kw]) => [kh!, kw!, i!, o!],
  toTf: (t) => tf.transpose(t, [2, 3, 1, 0]),
  toTorch: (t) => tf.transpose(t, [3, 2, 0, 1]),
};

/** torch Conv3d weight [O, I, 1, kh, kw] (spatial 1xkxk) <-> conv2d filter [kh, kw, I, O]. */
export const spatialConv3dLayout: WeightLayout = {
  name: 'conv3d-spatial',
  tfShape: ([o, i, , kh, kw]) => [kh!, kw!, i!, o!],
  toTf: (t) => tf.transpose(tf.reshape(t, [t.shape[0]!, t.shape[1]!, t.shape[3]!, t.shape[4]!]), [2, 3, 1, 0]),
  toTorch: (t, torchShape) => tf.reshape(tf.transpose(t, [3, 2, 0, 1]), [...torchShape]),
};

/** torch Conv3d weight [O, I, kt, 1, 1] (temporal tx1x1) <-> conv2d filter [kt, 1, I, O]. */
export const temporalConv3dLayout: WeightLayout = {
  name: 'conv3d-temporal',
  tfShape: ([o, i, kt]) => [kt!, 1, i!, o!],
  toTf: (t) => tf.transpose(tf.reshape(t, [t.shape[0]!, t.shape[1]!, t.shape[2]!, 1]), [2, 3, 1, 0]),
  toTorch: (t, torchShape) => tf.reshape(tf.transpose(t, [3, 2, 0, 1]), [...torchShape]),
};

/** torch Conv1d weight [O, I, k] <-> tfjs conv1d filter [k, I, O]. */
export const conv1dLayout: WeightLayout = {
  name: 'conv1d',
  tfShape: ([o, i, k]) => [k!, i!, o!],
  toTf: (t) => tf.transpose(t, [2, 1, 0]),
  toTorch: (t) => tf.transpose(t, [2, 1, 0]),
};
