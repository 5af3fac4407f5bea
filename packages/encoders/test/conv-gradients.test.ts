import * as tf from '@tensorflow/tfjs-core';
import { conv2d, conv2dFilterGrad } from '../src/ops/conv';
import { maxAbsDiff, randomData } from './helpers';

/**
 * The encoders' conv2d (explicit padding, hand-written filter gradient) against tfjs's own conv2d and its
 * registered gradients on the cpu backend: an independent implementation of the same derivative.
 */
describe('conv2d gradients (ops/conv.ts) equal tfjs conv2d gradients', () => {
  const cases: Array<{
    name: string;
    x: [number, number, number, number];
    k: [number, number, number, number];
    stride: [number, number];
    pad: [number, number];
  }> = [
    { name: '3x3, stride 1, pad 1', x: [2, 6, 7, 3], k: [3, 3, 3, 4], stride: [1, 1], pad: [1, 1] },
    { name: '7x7, stride 2, pad 3 (a stem)', x: [2, 11, 10, 3], k: [7, 7, 3, 5], stride: [2, 2], pad: [3, 3] },
    { name: '3x3, stride 2, pad 1, odd size', x: [1, 9, 9, 4], k: [3, 3, 4, 2], stride: [2, 2], pad: [1, 1] },
    { name: '1x1, stride 2 (downsample)', x: [2, 8, 6, 4], k: [1, 1, 4, 3], stride: [2, 2], pad: [0, 0] },
    { name: '[3, 1] temporal, stride 1, pad 1 (W folded into the reduction)', x: [2, 5, 12, 4], k: [3, 1, 4, 6], stride: [1, 1], pad: [1, 0] },
    { name: '[3, 1] temporal, stride [2, 1], pad 1 (folded)', x: [3, 8, 6, 5], k: [3, 1, 5, 2], stride: [2, 1], pad: [1, 0] },
    { name: '[1, 1] temporal, stride [2, 1] (folded)', x: [2, 6, 4, 3], k: [1, 1, 3, 4], stride: [2, 1], pad: [0, 0] },
  ];

  it.each(cases)('$name', ({ x: xShape, k: kShape, stride, pad }) => {
    const x = tf.tensor4d(randomData(xShape, 1), xShape);
    const k = tf.tensor4d(randomData(kShape, 2), kShape);
    const padding: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [pad[0], pad[0]],
      [pad[1], pad[1]],
      [0, 0],
    ];
    const ref = tf.conv2d(x, k, stride, padding);
    const r = tf.tensor4d(randomData(ref.shape, 3), ref.shape);
    const [refDx, refDk] = tf.grads((...[a, b]: tf.Tensor[]) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, padding), r)))([x, k]);
    const ours = conv2d(x, k, stride, pad);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxAbsDiff(ours.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    const [dx, dk] = tf.grads((...[a, b]: tf.Tensor[]) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r)))([x, k]);
    expect(maxAbsDiff(dx!.dataSync(), refDx!.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(dk!.dataSync(), refDk!.dataSync())).toBeLessThan(1e-4);
    const direct = conv2dFilterGrad(x, r, [kShape[0], kShape[1]], stride, pad);
    expect(maxAbsDiff(direct.dataSync(), refDk!.dataSync())).toBeLessThan(1e-4);
    // a stem skips its input gradient and still gets the same filter gradient
    const [dxStem, dkStem] = tf.grads((...[a, b]: tf.Tensor[]) =>
      tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, { inputGradient: false }), r)),
    )([x, k]);
    expect(Array.from(dxStem!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(maxAbsDiff(dkStem!.dataSync(), refDk!.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, k, ref, r, refDx!, refDk!, ours, dx!, dk!, direct, dxStem!, dkStem!]);
  });
});
