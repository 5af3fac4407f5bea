import * as tf from '@tensorflow/tfjs-core';

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
 * Padding is explicit zero padding (torch's `padding=`), applied with tf.pad before a 'valid' conv.
 */

/** Zero-pads dims 1 and 2 of a rank-4 tensor: [N, A, B, C] -> [N, A + 2 padA, B + 2 padB, C]. */
function padMiddle(x: tf.Tensor4D, padA: number, padB: number): tf.Tensor4D {
  if (padA === 0 && padB === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [padA, padA],
    [padB, padB],
    [0, 0],
  ]);
}

/**
 * torch `nn.Conv2d(bias=False)` on channels-last input.
 * out = floor((H + 2 pad - k) / stride) + 1 per spatial dim.
 *
 * @param x [N, H, W, Cin]
 * @param kernel [kh, kw, Cin, Cout] (torch [Cout, Cin, kh, kw] transposed)
 * @param stride [sh, sw]
 * @param padding [ph, pw] symmetric zero padding
 * @returns [N, H', W', Cout]
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: [number, number], padding: [number, number]): tf.Tensor4D {
  return tf.conv2d(padMiddle(x, padding[0], padding[1]), kernel, stride, 'valid');
}

/**
 * Spatial part of a (2+1)D conv: torch `Conv3d(kernel=(1, kh, kw), stride=(1, s, s), padding=(0, p, p))`
 * computed as conv2d over the B*T frames.
 *
 * @param x [B, T, H, W, Cin]
 * @param kernel [kh, kw, Cin, M]
 * @returns [B, T, H', W', M]
 */
export function spatialConv(x: tf.Tensor5D, kernel: tf.Tensor4D, stride: number, padding: number): tf.Tensor5D {
  const [b, t, h, w, c] = x.shape;
  const frames = tf.reshape(x, [b * t, h, w, c]) as tf.Tensor4D; // [B*T, H, W, Cin]
  const y = conv2d(frames, kernel, [stride, stride], [padding, padding]); // [B*T, H', W', M]
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
export function temporalConv(x: tf.Tensor5D, kernel: tf.Tensor4D, stride: number, padding: number): tf.Tensor5D {
  const [b, t, h, w, c] = x.shape;
  const series = tf.reshape(x, [b, t, h * w, c]) as tf.Tensor4D; // [B, T, H*W, M]
  const y = conv2d(series, kernel, [stride, 1], [padding, 0]); // [B, T', H*W, Cout]
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
