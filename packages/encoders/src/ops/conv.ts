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
  return validConv2d(padMiddle(x, padding[0], padding[1]), kernel, stride);
}

/**
 * Filter gradient of a 'valid' conv2d, computed as a forward convolution: with N and Cin swapped,
 *
 *     dK[i, j, c, o] = sum_{n, h, w} x[n, i + s_h h, j + s_w w, c] dy[n, h, w, o]
 *                    = conv2d(x^T [Cin, H, W, N], dy^T [H', W', N, Cout], dilation = stride)[c, i, j, o]
 *
 * tfjs's own Conv2DBackpropFilter is a naive loop on the pure-JS backend (measured 340x slower than the
 * forward conv of the same size, 71 s vs 0.21 s for [32,16,16,32] with a 3x3 kernel) and missing on WASM;
 * forward convolutions are fast everywhere.
 *
 * @param x [N, H, W, Cin] (already padded)
 * @param dy [N, H', W', Cout]
 * @returns [kh, kw, Cin, Cout]
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernelSize: [number, number], stride: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H', W', N, Cout]
    const full = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', stride); // [Cin, >= kh, >= kw, Cout]
    const k = full.shape[1] === kernelSize[0] && full.shape[2] === kernelSize[1] ? full : tf.slice(full, [0, 0, 0, 0], [-1, kernelSize[0], kernelSize[1], -1]);
    return tf.transpose(k, [1, 2, 0, 3]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
  });
}

/** 'valid' conv2d whose filter gradient is `conv2dFilterGrad` and input gradient tfjs's conv2dTranspose. */
function validConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: [number, number]): tf.Tensor4D {
  const op = tf.customGrad(((xIn: tf.Tensor4D, kIn: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xIn, kIn]);
    return {
      value: tf.conv2d(xIn, kIn, stride, 'valid'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ks] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2dTranspose(dy, ks, xs.shape, stride, 'valid');
        const dk = conv2dFilterGrad(xs, dy, [ks.shape[0], ks.shape[1]], stride);
        return [dx, dk];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return op(x, kernel);
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
