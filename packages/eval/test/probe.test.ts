import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@ccl/base';
import {
  applyStandardizer,
  fitStandardizer,
  fitSoftmaxRegression,
  groupHoldoutSplit,
  linearProbe,
  selectL2,
  softmaxRegressionLogits,
  softmaxRegressionLossAndGradient,
  stratifiedSplit,
} from '../src';
import { minimizeLbfgs } from '../src/lbfgs';

function randomSet(n: number, d: number, seed: number) {
  const rng = mulberry32(seed);
  const r = (): number => rng.next();
  return { rows: n, dims: d, data: Float64Array.from({ length: n * d }, () => r() * 2 - 1) };
}

/** Gaussian-ish blobs around well separated class centres, `perClass` rows each. */
function blobs(numClasses: number, dims: number, perClass: number, seed: number, spread = 0.3) {
  const rng = mulberry32(seed);
  const r = (): number => rng.next();
  const centres = Array.from({ length: numClasses }, () => Array.from({ length: dims }, () => (r() * 2 - 1) * 3));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < numClasses; k++)
    for (let i = 0; i < perClass; i++) {
      rows.push(centres[k]!.map((c) => c + (r() + r() + r() - 1.5) * spread));
      labels.push(k);
    }
  return { rows, labels };
}

describe('softmax regression objective', () => {
  it('blocked logits equal a naive X Wᵀ + b (odd N and C exercise the remainder loops)', () => {
    const x = randomSet(7, 5, 1);
    const C = 6;
    const theta = randomSet(1, C * 6, 2).data;
    const z = softmaxRegressionLogits(theta, x, C);
    for (let i = 0; i < 7; i++)
      for (let c = 0; c < C; c++) {
        let s = theta[C * 5 + c]!;
        for (let d = 0; d < 5; d++) s += theta[c * 5 + d]! * x.data[i * 5 + d]!;
        expect(z[i * C + c]).toBeCloseTo(s, 12);
      }
  });

  it('loss matches an independent computation and the gradient matches central finite differences', () => {
    const x = randomSet(9, 4, 3);
    const y = Int32Array.from([0, 1, 2, 4, 4, 3, 0, 1, 2]);
    const C = 5;
    const l2 = 0.3;
    const theta = randomSet(1, C * 5, 4).data;
    const grad = new Float64Array(theta.length);
    const loss = softmaxRegressionLossAndGradient(theta, grad, x, y, C, l2);
    // independent: mean of -log softmax + l2/2 |W|^2
    let ce = 0;
    for (let i = 0; i < 9; i++) {
      const z = Array.from({ length: C }, (_, c) => theta[C * 4 + c]! + [0, 1, 2, 3].reduce((a, d) => a + theta[c * 4 + d]! * x.data[i * 4 + d]!, 0));
      ce += -z[y[i]!]! + Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    }
    const w2 = Array.from(theta.subarray(0, C * 4)).reduce((a, v) => a + v * v, 0);
    expect(loss).toBeCloseTo(ce / 9 + 0.5 * l2 * w2, 12);
    const h = 1e-6;
    const g2 = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const tp = Float64Array.from(theta);
      tp[k]! += h;
      const tm = Float64Array.from(theta);
      tm[k]! -= h;
      const fd = (softmaxRegressionLossAndGradient(tp, g2, x, y, C, l2) - softmaxRegressionLossAndGradient(tm, g2, x, y, C, l2)) / (2 * h);
      expect(Math.abs(fd - grad[k]!)).toBeLessThan(1e-7);
    }
  });
});

describe('L-BFGS', () => {
  it('finds the minimum of the Rosenbrock function (1, 1)', () => {
    const res = minimizeLbfgs(
      (v, g) => {
        const [a, b] = [v[0]!, v[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { maxIterations: 200, gradTolerance: 1e-8, relTolerance: 0 },
    );
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
    for (let i = 1; i < res.history.length; i++) expect(res.history[i]!).toBeLessThan(res.history[i - 1]!);
  });
});

describe('linear probe', () => {
  it('standardises with training statistics only', () => {
    const s = fitStandardizer({ rows: 3, dims: 2, data: Float64Array.from([1, 5, 2, 5, 3, 5]) });
    expect(Array.from(s.mean)).toEqual([2, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.std[1]).toBe(1); // constant column: std 0 replaced by 1
    const t = applyStandardizer({ rows: 1, dims: 2, data: Float64Array.from([4, 7]) }, s);
    expect(t.data[0]).toBeCloseTo(2 / Math.sqrt(2 / 3), 12);
    expect(t.data[1]).toBe(2);
  });

  it('separates synthetic blobs perfectly and reaches a stationary point', () => {
    const tr = blobs(5, 8, 12, 11);
    const te = blobs(5, 8, 6, 11); // same centres (same seed), fresh noise order differs only by draw count
    const res = linearProbe({
      train: { features: tr.rows, labels: tr.labels },
      test: { features: te.rows, labels: te.labels },
      numClasses: 5,
      options: { l2: 1e-2, maxIterations: 300, relTolerance: 0, gradTolerance: 1e-7 },
    });
    expect(res.top1).toBe(1);
    expect(res.trainTop1).toBe(1);
    expect(res.perClassAccuracy).toEqual([1, 1, 1, 1, 1]);
    expect(res.converged).toBe(true);
    const model = fitSoftmaxRegression(tr.rows, tr.labels, 5, { l2: 1e-2, maxIterations: 300, relTolerance: 0, gradTolerance: 1e-7 });
    const g = new Float64Array(model.theta.length);
    const xs = applyStandardizer({ rows: 60, dims: 8, data: Float64Array.from(tr.rows.flat()) }, model.standardizer);
    softmaxRegressionLossAndGradient(model.theta, g, xs, Int32Array.from(tr.labels), 5, 1e-2);
    expect(Math.max(...Array.from(g, Math.abs))).toBeLessThan(1e-6);
  });

  it('reports chance-level structure on unlearnable labels and null for empty test classes', () => {
    const x = randomSet(40, 3, 5);
    const rows = Array.from({ length: 40 }, (_, i) => Array.from(x.data.subarray(i * 3, i * 3 + 3)));
    const res = linearProbe({
      train: { features: rows.slice(0, 30), labels: rows.slice(0, 30).map((_, i) => i % 3) },
      test: { features: rows.slice(30), labels: rows.slice(30).map(() => 0) },
      numClasses: 3,
    });
    expect(res.perClassAccuracy[1]).toBeNull();
    expect(res.perClassAccuracy[2]).toBeNull();
    expect(res.top1).toBe(res.perClassAccuracy[0]);
  });

  it('accepts tensors without leaking them', () => {
    const tr = blobs(3, 4, 5, 2);
    const xt = tf.tensor2d(tr.rows);
    const yt = tf.tensor1d(tr.labels, 'int32');
    const before = tf.memory().numTensors;
    const res = linearProbe({ train: { features: xt, labels: yt }, test: { features: xt, labels: yt }, numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.trainTop1).toBe(1);
    tf.dispose([xt, yt]);
  });

  it('rejects bad input', () => {
    expect(() => linearProbe({ train: { features: [[1, 2]], labels: [0] }, test: { features: [[1, 2, 3]], labels: [0] }, numClasses: 2 })).toThrow(
      /1 dims but features have 3|2 dims but features have 3/,
    );
    expect(() => linearProbe({ train: { features: [[1, 2]], labels: [5] }, test: { features: [[1, 2]], labels: [0] }, numClasses: 2 })).toThrow(
      /train labels\[0\] = 5/,
    );
    expect(() => fitSoftmaxRegression([[1]], [0], 1, { l2: -1 })).toThrow(/l2 must be >= 0/);
  });
});

describe('splits and λ selection', () => {
  it('stratified split is deterministic, disjoint and per class', () => {
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2];
    const a = stratifiedSplit(labels, 0.4, 7);
    expect(stratifiedSplit(labels, 0.4, 7)).toEqual(a);
    expect([...a.keep, ...a.holdout].sort((p, q) => p - q)).toEqual(labels.map((_, i) => i));
    expect(a.holdout.filter((i) => labels[i] === 0)).toHaveLength(2);
    expect(a.holdout.filter((i) => labels[i] === 1)).toHaveLength(2);
    expect(a.holdout.filter((i) => labels[i] === 2)).toHaveLength(0); // single-row class stays in keep
  });

  it('group split holds out whole groups, at least the fraction of rows, deterministically', () => {
    const groups = ['g1', 'g1', 'g2', 'g2', 'g2', 'g3', 'g4', 'g4', 'g5', 'g5'];
    const s = groupHoldoutSplit(groups, 0.3, 3);
    expect(groupHoldoutSplit(groups, 0.3, 3)).toEqual(s);
    expect([...s.keep, ...s.holdout].sort((a, b) => a - b)).toEqual(groups.map((_, i) => i));
    const held = new Set(s.holdout.map((i) => groups[i]));
    for (const i of s.keep) expect(held.has(groups[i])).toBe(false); // no group on both sides
    expect(s.holdout.length).toBeGreaterThanOrEqual(3);
    expect(s.keep.length).toBeGreaterThan(0);
    expect(() => groupHoldoutSplit(['a', 'a'], 0.5)).toThrow(/at least 2 groups/);
  });

  it('selectL2 returns one of the candidates with its validation accuracy', () => {
    const tr = blobs(3, 4, 10, 9);
    const sel = selectL2(tr.rows, tr.labels, 3, [1e-3, 1]);
    expect(sel.candidates.map((c) => c.l2)).toEqual([1e-3, 1]);
    for (const c of sel.candidates) expect(c.validationTop1).toBe(1);
    expect(sel.l2).toBe(1); // tie -> larger λ
    const byGroup = selectL2(tr.rows, tr.labels, 3, [1e-3, 1], { groups: tr.labels.map((_, i) => `g${i % 5}`) });
    expect(byGroup.candidates).toHaveLength(2);
    expect(() => selectL2(tr.rows, tr.labels, 3, [1], { groups: ['a'] })).toThrow(/groups has 1 entries but there are 30 rows/);
  });
});
