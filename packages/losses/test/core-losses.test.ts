import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, jsdLoss, multiClassNce } from '../src';
import { expectClose, golden, toTensor } from '../../../tools/fixtures/golden';

const g = golden();

/** Plain float64 NCE, written independently of the tf code (loops, no matrices). */
function nceReference(f1: number[][], f2: number[][], y: number[], tau: number): number {
  const norm = (v: number[]) => {
    const n = Math.max(Math.hypot(...v), 1e-12);
    return v.map((x) => x / n);
  };
  const a = f1.map(norm);
  const b = f2.map(norm);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const cos = b.map((bj) => 1 - 0.5 * bj.reduce((s, x, k) => s + (a[i][k] - x) ** 2, 0));
    const m = Math.max(...cos.map((c) => c / tau));
    const e = cos.map((c) => Math.exp(c / tau - m));
    const z = e.reduce((s, x) => s + x, 0);
    let pos = 0,
      npos = 0,
      neg = 0,
      nneg = 0;
    e.forEach((ej, j) => {
      const p = ej / z;
      if (y[i] === y[j]) {
        pos += -Math.log(p + 1e-10);
        npos++;
      } else {
        neg += -Math.log(1 - p + 1e-10);
        nneg++;
      }
    });
    total += pos / npos + (nneg ? neg / nneg : 0);
  }
  return total / a.length;
}

function rows(t: { shape: number[]; data: number[] }): number[][] {
  const [n, d] = t.shape;
  return Array.from({ length: n }, (_, i) => t.data.slice(i * d, (i + 1) * d));
}

describe('multiClassNce', () => {
  it.each(g.nce.map((c: unknown, i: number) => [i, c]) as [number, any][])('matches golden case %i', (_i, c: any) => {
    const loss = tf.tidy(() => multiClassNce(toTensor(c.f1) as tf.Tensor2D, toTensor(c.f2) as tf.Tensor2D, c.targets, { temperature: c.temperature }));
    expectClose(loss.dataSync(), [c.loss]);
    expect(Math.abs(nceReference(rows(c.f1), rows(c.f2), c.targets, c.temperature) - c.loss)).toBeLessThan(1e-5);
    loss.dispose();
  });

  it('has the gradient of an independent float64 implementation (finite differences)', () => {
    const c = g.nce[2];
    const f1 = rows(c.f1);
    const f2 = rows(c.f2);
    const grad = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => multiClassNce(x as tf.Tensor2D, toTensor(c.f2) as tf.Tensor2D, c.targets, { temperature: c.temperature }))(toTensor(c.f1))
          .arraySync() as number[][],
    );
    const h = 1e-6;
    for (const [i, k] of [
      [0, 0],
      [1, 3],
      [4, 7],
      [5, 2],
    ]) {
      const up = f1.map((r) => r.slice());
      const dn = f1.map((r) => r.slice());
      up[i][k] += h;
      dn[i][k] -= h;
      const fd = (nceReference(up, f2, c.targets, c.temperature) - nceReference(dn, f2, c.targets, c.temperature)) / (2 * h);
      expect(Math.abs(grad[i][k] - fd)).toBeLessThan(1e-4 + 1e-3 * Math.abs(fd));
    }
  });

  it('drops the negative term of rows without negatives by default, and reproduces the reference NaN on request', () => {
    const f1 = tf.tensor2d([
      [1, 0],
      [0.5, 0.5],
      [0, 1],
    ]);
    const f2 = tf.tensor2d([
      [1, 0.2],
      [0.1, 1],
      [0.3, 0.3],
    ]);
    const same = [2, 2, 2];
    const dropped = multiClassNce(f1, f2, same, { temperature: 0.5 });
    expect(dropped.dataSync()[0]).toBeCloseTo(nceReference(f1.arraySync(), f2.arraySync(), same, 0.5), 5);
    expect(Number.isFinite(dropped.dataSync()[0])).toBe(true);
    const reference = multiClassNce(f1, f2, same, { temperature: 0.5, noNegatives: 'nan' });
    expect(Number.isNaN(reference.dataSync()[0])).toBe(true);
    tf.dispose([f1, f2, dropped, reference]);
  });

  // A student clip whose pooled (post-ReLU) features are all zero: torch's F.normalize gives its row a finite
  // gradient, which the ReLU's mask then zeroes; the former tf.norm-based normalisation gave NaN, and six CCL
  // students of the benchmark went NaN from such a step.
  it('gives a finite gradient through a row of zero features (dead ReLUs), as torch does', () => {
    const pre = tf.tensor2d([
      [-1, -2, -0.5],
      [0.3, -1, 2],
      [1, 0.5, -0.2],
    ]);
    const f2 = tf.tensor2d([
      [1, 0.2, 0.1],
      [0.1, 1, 0.4],
      [0.3, 0.3, 1],
    ]);
    const grad = tf.grad((p: tf.Tensor) => multiClassNce(tf.relu(p) as tf.Tensor2D, f2, [0, 1, 0], { temperature: 0.1 }))(pre);
    const values = Array.from(grad.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.slice(0, 3).map(Math.abs)).toEqual([0, 0, 0]); // the dead row: masked by the ReLU (±0)
    expect(values.slice(3).some((v) => v !== 0)).toBe(true);
    tf.dispose([pre, f2, grad]);
  });

  it('handles a batch of 1 (only the positive term: -log(1 + 1e-10))', () => {
    const l = multiClassNce(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, -1]]), [0], { temperature: 0.1 });
    expect(l.dataSync()[0]).toBeCloseTo(-Math.log(1 + 1e-10), 6);
  });

  it('propagates NaN features to a NaN loss rather than a silent number, and rejects bad shapes', () => {
    const l = multiClassNce(
      tf.tensor2d([
        [NaN, 1],
        [0, 1],
      ]),
      tf.tensor2d([
        [1, 1],
        [0, 1],
      ]),
      [0, 1],
      { temperature: 0.5 },
    );
    expect(Number.isNaN(l.dataSync()[0])).toBe(true);
    expect(() =>
      multiClassNce(
        tf.tensor2d([[1, 2]]),
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        [0],
        { temperature: 0.5 },
      ),
    ).toThrow(/expected 1 rows/);
    expect(() => multiClassNce(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 2]]), [0, 1], { temperature: 0.5 })).toThrow(/labels must have shape \[1\]/);
    expect(() => multiClassNce(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 2]]), [0], { temperature: 0 })).toThrow(/temperature/);
  });

  it('leaks no tensors', () => {
    const f1 = tf.randomNormal([6, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const f2 = tf.randomNormal([6, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    multiClassNce(f1, f2, [0, 1, 0, 1, 2, 2], { temperature: 0.5 }).dispose();
    jsdLoss(f1, f2).dispose();
    crossEntropy(f1, [0, 1, 3, 2, 1, 0]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([f1, f2]);
  });
});

describe('jsdLoss', () => {
  it.each(g.jsd.map((c: unknown, i: number) => [i, c]) as [number, any][])('matches golden case %i', (_i, c: any) => {
    const loss = jsdLoss(toTensor(c.p_logits) as tf.Tensor2D, toTensor(c.q_logits) as tf.Tensor2D, { weight: c.weight });
    expectClose(loss.dataSync(), [c.loss]);
    loss.dispose();
  });

  it('equals the direct formula on ordinary inputs and stays finite where p/q overflows', () => {
    const a = [
      [1, 2, 0.5],
      [0, -1, 3],
    ];
    const b = [
      [0.2, 0.1, 2],
      [1, 1, 1],
    ];
    const sm = (z: number[]) => {
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp(x - m));
      const s = e.reduce((u, v) => u + v);
      return e.map((x) => x / s);
    };
    let direct = 0;
    a.forEach((_, i) => {
      const p = sm(a[i]);
      const q = sm(b[i]);
      direct += p.reduce((s, pc, c) => s + pc * Math.log(pc / q[c] + 1e-10) + q[c] * Math.log(q[c] / pc + 1e-10), 0);
    });
    direct = (0.5 * direct) / a.length;
    expect(jsdLoss(tf.tensor2d(a), tf.tensor2d(b)).dataSync()[0]).toBeCloseTo(direct, 5);
    const extreme = jsdLoss(tf.tensor2d([[200, -200]]), tf.tensor2d([[-200, 200]]), { weight: 1 }).dataSync()[0];
    expect(Number.isFinite(extreme)).toBe(true);
    expect(extreme).toBeCloseTo(800, 0); // 2 * (400 nats) for two opposite near-one-hot distributions
  });

  it('is zero for identical logits and symmetric', () => {
    const a = tf.tensor2d([
      [1, 2, 3],
      [3, 2, 1],
    ]);
    const b = tf.tensor2d([
      [0, 2, 1],
      [1, 1, 5],
    ]);
    expect(jsdLoss(a, a).dataSync()[0]).toBeCloseTo(0, 6);
    expect(jsdLoss(a, b).dataSync()[0]).toBeCloseTo(jsdLoss(b, a).dataSync()[0], 6);
  });
});

describe('crossEntropy', () => {
  it('equals -mean log softmax at the label, and checks labels', () => {
    const z = [
      [2, 1, 0],
      [0, 0, 3],
    ];
    const y = [0, 2];
    const expected = -(z.map((r, i) => r[y[i]] - Math.log(r.reduce((s, v) => s + Math.exp(v), 0))).reduce((s, v) => s + v) / 2);
    expect(crossEntropy(tf.tensor2d(z), y).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(crossEntropy(tf.tensor2d(z), tf.tensor1d(y, 'int32')).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(() => crossEntropy(tf.tensor2d(z), [0, 3])).toThrow(/label 3 at row 1 is outside \[0, 3\)/);
  });
});
