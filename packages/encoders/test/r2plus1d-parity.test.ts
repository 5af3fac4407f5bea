import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, R2PLUS1D_STAGE_BLOCKS } from '../src';
import { disposeDict, maxAbsDiff, randomData, randomStateDict } from './helpers';
import { r2plus1dRef } from './reference/r2plus1d-reference';
import { channelsFirst } from './reference/torch-reference';

/**
 * Eval-mode parity of reduced-width R(2+1)D against the float64 plain-JS reference (no PyTorch here):
 * identical torch-layout weights loaded with strict loadStateDict, identical input.
 */
describe.each([18, 34])('r2plus1d-%i parity with the float64 reference', (depth) => {
  const shape = [2, 4, 16, 16, 3]; // [B, T, H, W, C]

  it('gives the same features and logits (eval mode, 1e-4)', () => {
    const enc = createEncoder(`r2plus1d-${depth}`, { numClasses: 5, widthMultiplier: 1 / 16, frames: 4, inputSize: 16 });
    const { dict, ref } = randomStateDict(enc.describe(), 100 + depth);
    try {
      const report = enc.loadStateDict(dict, { strict: true });
      expect(report.missing).toEqual([]);
      expect(report.loaded).toHaveLength(enc.describe().length);
      const data = randomData(shape, 7);
      const x = tf.tensor(data, shape);
      const { features, logits } = enc.apply(x);
      const expected = r2plus1dRef(ref, channelsFirst(data, shape), [...R2PLUS1D_STAGE_BLOCKS[depth]!]);
      expect(features.shape).toEqual([2, 32]);
      expect(logits!.shape).toEqual([2, 5]);
      expect(maxAbsDiff(features.dataSync(), expected.features)).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits!.dataSync(), expected.logits)).toBeLessThan(1e-4);
      // the comparison is meaningful: logits are not all ~0
      expect(Math.max(...expected.logits.data.map(Math.abs))).toBeGreaterThan(1e-2);
      tf.dispose([x, features, logits!]);
    } finally {
      disposeDict(dict);
      enc.dispose();
    }
  });
});
