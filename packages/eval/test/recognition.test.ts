import * as tf from '@tensorflow/tfjs-core';
import {
  accuracyFromValJson,
  aggregateVideoScores,
  clipAccuracy,
  confusionMatrix,
  evaluateRecognition,
  perClassAccuracy,
  toReferenceValJson,
  topKAccuracy,
} from '../src';

// Hand-computed fixture: K = 4 classes, class 3 has no videos.
//  a (label 1): windows [.6 .3 .1 0], [.2 .5 .3 0] -> mean [.4 .4 .2 0]: tie 0/1 -> predicted 0 (lower index) -> miss
//  b (label 2): window  [.1 .1 .8 0]               -> predicted 2 -> hit
//  c (label 0): windows [.5 .4 .1 0], [.3 .6 .1 0] -> mean [.4 .5 .1 0] -> predicted 1 -> miss
const probs = [
  [0.6, 0.3, 0.1, 0],
  [0.1, 0.1, 0.8, 0],
  [0.5, 0.4, 0.1, 0],
  [0.2, 0.5, 0.3, 0],
  [0.3, 0.6, 0.1, 0],
];
const ids = ['a', 'b', 'c', 'a', 'c'];
const labels = { a: 1, b: 2, c: 0 };

describe('video-level recognition', () => {
  it('averages window probabilities per video, in first-appearance order', () => {
    const v = aggregateVideoScores(probs, ids, 'probabilities');
    expect(v.videoIds).toEqual(['a', 'b', 'c']);
    expect(v.windowCounts).toEqual([2, 1, 2]);
    const expected = [0.4, 0.4, 0.2, 0, 0.1, 0.1, 0.8, 0, 0.4, 0.5, 0.1, 0];
    expected.forEach((e, i) => expect(v.scores.data[i]).toBeCloseTo(e, 12));
  });

  it('applies softmax to logits before averaging', () => {
    // softmax([0, ln 3]) = [1/4, 3/4]; softmax([ln 3, 0]) = [3/4, 1/4]; mean = [1/2, 1/2]
    const v = aggregateVideoScores(
      [
        [0, Math.log(3)],
        [Math.log(3), 0],
        [0, 0],
      ],
      ['x', 'x', 'y'],
    );
    expect(Array.from(v.scores.data)).toEqual([0.5, 0.5, 0.5, 0.5].map((x) => expect.closeTo(x, 12)));
    const single = aggregateVideoScores([[0, Math.log(3)]], ['x']);
    expect(single.scores.data[1]).toBeCloseTo(0.75, 12);
  });

  it('gives hand-computed top-k, per-class accuracy (empty class = null) and confusion', () => {
    const r = evaluateRecognition({
      windowScores: probs,
      videoIds: ids,
      videoLabels: labels,
      kind: 'probabilities',
      ks: [1, 2, 5],
      classNames: ['w', 'x', 'y', 'z'],
    });
    expect(r.top1).toBeCloseTo(1 / 3, 12);
    expect(r.topK['1']).toBeCloseTo(1 / 3, 12);
    expect(r.topK['2']).toBe(1);
    expect(r.topK['5']).toBe(1); // K larger than the number of classes is clamped
    expect(r.perClassAccuracy).toEqual([0, 0, 1, null]);
    expect(r.perClassCount).toEqual([1, 1, 1, 0]);
    expect(r.meanClassAccuracy).toBeCloseTo(1 / 3, 12);
    expect(r.confusion).toEqual([
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(r.videos.map((v) => v.predicted)).toEqual([0, 2, 1]);
    expect(r.videos[0]!.top.slice(0, 2).map((t) => t.label)).toEqual([0, 1]); // tie -> lower index first
  });

  it('accepts a Map of labels and a tf tensor without leaking or disposing it', () => {
    const t = tf.tensor2d(probs);
    const before = tf.memory().numTensors;
    const r = evaluateRecognition({ windowScores: t, videoIds: ids, videoLabels: new Map(Object.entries(labels)), kind: 'probabilities' });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.top1).toBeCloseTo(1 / 3, 6);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('lists labelled videos without windows, or throws when all are required', () => {
    const r = evaluateRecognition({ windowScores: probs, videoIds: ids, videoLabels: { ...labels, d: 3 }, kind: 'probabilities' });
    expect(r.videosWithoutWindows).toEqual(['d']);
    expect(r.numVideos).toBe(3);
    expect(() => evaluateRecognition({ windowScores: probs, videoIds: ids, videoLabels: { ...labels, d: 3 }, requireAllVideos: true })).toThrow(
      /1 labelled video\(s\) have no window scores \(first: 'd'\)/,
    );
  });

  it('single-class data: every video correct', () => {
    const r = evaluateRecognition({ windowScores: [[3], [1]], videoIds: ['p', 'q'], videoLabels: { p: 0, q: 0 } });
    expect(r.top1).toBe(1);
    expect(r.perClassAccuracy).toEqual([1]);
    expect(r.confusion).toEqual([[2]]);
  });

  it('rejects bad input with clear errors', () => {
    expect(() => evaluateRecognition({ windowScores: probs, videoIds: ids, videoLabels: { a: 1, b: 2 } })).toThrow(/video 'c' has windows but no entry/);
    expect(() => aggregateVideoScores(probs, ['a'])).toThrow(/5 rows but videoIds has 1/);
    expect(() => evaluateRecognition({ windowScores: probs, videoIds: ids, videoLabels: { a: 1, b: 7, c: 0 } })).toThrow(/not a class index in \[0, 4\)/);
    expect(() => topKAccuracy([[1, 2], [3]], [0, 0])).toThrow(/ragged/);
    expect(() => topKAccuracy([[1, NaN]], [0])).toThrow(/non-finite/);
  });
});

describe('clip-level metrics', () => {
  it('clip accuracy = argmax hits / clips, ties to the lower index', () => {
    // rows: argmax 1 (label 1 hit), tie 0/1 -> 0 (label 1 miss), argmax 2 (label 2 hit)
    expect(
      clipAccuracy(
        [
          [0, 2, 1],
          [5, 5, 0],
          [0, 1, 9],
        ],
        [1, 1, 2],
      ),
    ).toBeCloseTo(2 / 3, 12);
    expect(
      topKAccuracy(
        [
          [0, 2, 1],
          [5, 5, 0],
          [0, 1, 9],
        ],
        [1, 1, 0],
        2,
      ),
    ).toBeCloseTo(2 / 3, 12);
  });
  it('confusion and per-class accuracy from predictions', () => {
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    expect(perClassAccuracy([0, 1, 1, 2], [0, 1, 2, 2], 4)).toEqual([1, 1, 0.5, null]);
  });
});

describe('reference val.json shape', () => {
  it('writes {results: {id: [{label, score}]}} best first and scores it like eval_accuracy.py', () => {
    const names = ['w', 'x', 'y', 'z'];
    const v = aggregateVideoScores(probs, ids, 'probabilities');
    const val = toReferenceValJson(v, names, 2);
    expect(Object.keys(val.results)).toEqual(['a', 'b', 'c']);
    expect(val.results['c']).toEqual([
      { label: 'x', score: expect.closeTo(0.5, 12) },
      { label: 'w', score: expect.closeTo(0.4, 12) },
    ]);
    const byName = { a: 'x', b: 'y', c: 'w' };
    expect(accuracyFromValJson(JSON.parse(JSON.stringify(val)), byName, 1)).toBeCloseTo(1 / 3, 12);
    expect(accuracyFromValJson(val, byName, 2)).toBe(1);
    expect(accuracyFromValJson(val, { ...byName, d: 'z' }, 2)).toBe(0.75); // missing video counts as a miss
  });
});
