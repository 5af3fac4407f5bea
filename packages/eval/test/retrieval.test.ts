import * as tf from '@tensorflow/tfjs-core';
import { averageByGroup, cosineSimilarity, evaluateRetrieval, perClassRecallAtK, rankGallery } from '../src';

// Gallery: g0 [1,0] c0, g1 [0,1] c1, g2 [1,1] c1, g3 [-1,0] c2.
// q0 [2,0] c1: sims 1, 0, .707, -1 -> order g0 g2 g1 g3 -> relevant at 2, 3: AP = (1/2 + 2/3)/2 = 7/12
// q1 [0,1] c0: sims 0, 1, .707, 0  -> order g1 g2 g0 g3 (tie g0/g3 -> g0 first) -> rank 3: AP = 1/3
// q2 [1,0] c3: no gallery item of class 3 -> never a hit, excluded from mAP
// q3 [0,1] c2: same order -> g3 at rank 4: AP = 1/4
const gallery = [
  [1, 0],
  [0, 1],
  [1, 1],
  [-1, 0],
];
const galleryLabels = [0, 1, 1, 2];
const queries = [
  [2, 0],
  [0, 1],
  [1, 0],
  [0, 1],
];
const queryLabels = [1, 0, 3, 2];

describe('retrieval', () => {
  it('cosine similarity matches hand values', () => {
    const s = cosineSimilarity([[2, 0]], gallery);
    expect(Array.from(s.data)).toEqual([1, 0, Math.SQRT1_2, -1].map((x) => expect.closeTo(x, 12)));
  });

  it('ranks ties by the lower gallery index', () => {
    expect(rankGallery([0, 1, 0.5, 0, 1])).toEqual([1, 4, 2, 0, 3]);
  });

  it('R@K (K beyond the gallery clamped) and mAP equal hand-computed values', () => {
    const r = evaluateRetrieval({ queries, queryLabels, gallery, galleryLabels, ks: [1, 2, 3, 5, 20] });
    expect(r.firstHitRank).toEqual([2, 3, null, 4]);
    expect(r.recallAtK).toEqual({ '1': 0, '2': 0.25, '3': 0.5, '5': 0.75, '20': 0.75 });
    expect(r.mAP).toBeCloseTo((7 / 12 + 1 / 3 + 1 / 4) / 3, 12);
    expect(r.queriesWithoutRelevant).toBe(1);
    expect(r.numGallery).toBe(4);
  });

  it('per-class R@K from the first-hit ranks (class without queries -> null)', () => {
    const r = evaluateRetrieval({ queries, queryLabels, gallery, galleryLabels });
    // ranks: q0 (c1) 2, q1 (c0) 3, q2 (c3) none, q3 (c2) 4
    expect(perClassRecallAtK(r, queryLabels, 5, 3)).toEqual([1, 1, 0, 0, null]);
    expect(perClassRecallAtK(r, queryLabels, 5, 1)).toEqual([0, 0, 0, 0, null]);
    expect(perClassRecallAtK(r, queryLabels, 5, 99)).toEqual([1, 1, 1, 0, null]); // K clamped to the gallery
    expect(() => perClassRecallAtK(r, [0], 5)).toThrow(/4 queries but queryLabels has 1/);
  });

  it('single class: every query hits at 1, mAP = 1', () => {
    const r = evaluateRetrieval({ queries, queryLabels: [0, 0, 0, 0], gallery, galleryLabels: [0, 0, 0, 0] });
    expect(r.recallAtK).toEqual({ '1': 1, '5': 1, '10': 1, '20': 1 });
    expect(r.mAP).toBe(1);
  });

  it('window-averaged features: averageByGroup then retrieval; tensors are not leaked', () => {
    const windows = tf.tensor2d([
      [1, 0],
      [3, 2],
      [0, 5],
    ]);
    const before = tf.memory().numTensors;
    const v = averageByGroup(windows, ['u', 'u', 'w']);
    expect(tf.memory().numTensors).toBe(before);
    expect(v.ids).toEqual(['u', 'w']);
    expect(Array.from(v.features.data)).toEqual([2, 1, 0, 5]);
    windows.dispose();
  });

  it('rejects mismatched shapes', () => {
    expect(() => evaluateRetrieval({ queries, queryLabels: [0], gallery, galleryLabels })).toThrow(/queryLabels has 1/);
    expect(() => cosineSimilarity([[1, 2, 3]], gallery)).toThrow(/3 dims but gallery has 2/);
    expect(() => evaluateRetrieval({ queries, queryLabels, gallery: [], galleryLabels: [] })).toThrow(/at least one query and one gallery/);
  });
});
