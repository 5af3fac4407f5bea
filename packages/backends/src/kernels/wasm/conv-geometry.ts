import * as tf from '@tensorflow/tfjs-core';

/** The geometry of one NHWC 2-D convolution, as the backprop kernels need it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** zero rows / columns the forward conv adds before and after the input. */
  padTop: number;
  padLeft: number;
}

/**
 * Resolves strides, pad ('same' | 'valid' | number | explicit) and rounding exactly as tfjs's forward
 * Conv2D does (backend_util.computeConv2DInfo), so the gradients match the forward op's geometry.
 * Dilations are 1: tfjs's conv2d gradient rejects dilated convolutions before reaching these kernels.
 */
export function convGeometry(
  file: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: unknown,
  dataFormat: unknown,
  dimRoundingMode: unknown,
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${file}: only dataFormat 'NHWC' (channels last) is supported, got '${String(dataFormat)}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    1,
    pad as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
