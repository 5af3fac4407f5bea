import * as tf from '@tensorflow/tfjs-core';
import { columnMean, columnSum, nearSquareFactors } from '../src/ops/reduce';
import { randomData } from './helpers';

/** Column means and sums of a row-major [n, c] array, in float64. */
function columnStats(data: Float32Array | number[], n: number, c: number): { mean: number[]; sum: number[] } {
  const sum = new Array<number>(c).fill(0);
  for (let i = 0; i < n * c; i++) sum[i % c]! += data[i]!;
  return { sum, mean: sum.map((s) => s / n) };
}

/** max |a - b| / max(1, |b|) over the entries. */
function relErr(a: ArrayLike<number>, b: number[]): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return a.length === b.length ? e : Infinity;
}

describe('columnMean / columnSum (row reductions as average poolings)', () => {
  // n: square, composite, prime (one pooling over all rows), 1 row, and a long skinny one
  it.each([
    [36, 5],
    [60, 7],
    [97, 3],
    [1, 4],
    [4096, 2],
  ])('n = %i rows, C = %i: equal the float64 column means and sums', (n, c) => {
    const data = randomData([n, c], n + c).map((v, i) => v * 3 + (i % c) - 1); // per-column offsets
    const x = tf.tensor2d(data, [n, c]);
    const want = columnStats(data, n, c);
    const mean = columnMean(x);
    const sum = columnSum(x);
    expect(mean.shape).toEqual([c]);
    expect(sum.shape).toEqual([c]);
    expect(relErr(mean.dataSync(), want.mean)).toBeLessThan(1e-6);
    expect(relErr(sum.dataSync(), want.sum)).toBeLessThan(1e-5);
    // and tf.mean / tf.sum over the rows, what they replace
    const reference = tf.mean(x, 0);
    expect(relErr(mean.dataSync(), Array.from(reference.dataSync()))).toBeLessThan(1e-6);
    tf.dispose([x, mean, sum, reference]);
  });

  it('leave no tensor behind and refuse an empty input', () => {
    const x = tf.ones([12, 3]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    tf.dispose([columnMean(x), columnSum(x)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    expect(() => columnMean(empty)).toThrow(/columnMean: needs at least one row, got shape \[0, 3\]/);
    empty.dispose();
  });

  it('nearSquareFactors: h w = n with h the largest divisor not above sqrt(n)', () => {
    expect(nearSquareFactors(50176)).toEqual([224, 224]);
    expect(nearSquareFactors(25088)).toEqual([128, 196]);
    expect(nearSquareFactors(97)).toEqual([1, 97]);
    expect(nearSquareFactors(1)).toEqual([1, 1]);
    for (let n = 1; n < 300; n++) {
      const [h, w] = nearSquareFactors(n);
      expect(h * w).toBe(n);
      expect(h).toBeLessThanOrEqual(w);
    }
  });
});
