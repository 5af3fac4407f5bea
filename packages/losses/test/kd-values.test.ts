// Value of every KD loss against an independent plain-JS float64 computation of its formula on a tiny input.
// Learned parts (regressors, heads, memory banks, sampled negatives) are read out of the loss instance and
// pushed through the formula by hand, so only the formula is under test.
import * as tf from '@tensorflow/tfjs-core';
import { createLoss, type Loss, type LossInputs } from '@ccl/losses';

type Vec = number[];
type Mat = number[][];

// ---- plain-JS linear algebra (float64) ----
const dot = (a: Vec, b: Vec): number => a.reduce((s, v, i) => s + v * b[i], 0);
const unit = (a: Vec): Vec => {
  const n = Math.max(Math.sqrt(dot(a, a)), 1e-12);
  return a.map((v) => v / n);
};
const sub = (a: Vec, b: Vec): Vec => a.map((v, i) => v - b[i]);
const affine = (x: Vec, w: Mat, b: Vec): Vec => b.map((bj, j) => bj + x.reduce((s, xi, i) => s + xi * w[i][j], 0));
const gram = (x: Mat): Mat => x.map((a) => x.map((b) => dot(a, b)));
const mean = (v: Vec): number => v.reduce((s, x) => s + x, 0) / v.length;
const logSoftmax = (z: Vec): Vec => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};
const huber = (x: number): number => (Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5);
const mat = (t: tf.Tensor): Mat => t.arraySync() as Mat;
const vec = (t: tf.Tensor): Vec => t.arraySync() as Vec;

function expectClose(actual: number, expected: number, rel = 2e-5): void {
  expect(Number.isFinite(expected)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

// ---- tiny inputs ----
const S: Mat = [
  [0.5, -1.0, 2.0],
  [1.5, 0.3, -0.7],
  [-0.4, 0.8, 0.1],
  [0.9, 0.6, 0.4],
];
const T: Mat = [
  [1.0, 0.2],
  [-0.5, 1.1],
  [0.3, -0.9],
  [0.7, 0.8],
];
const T3: Mat = [
  [0.2, -1.2, 0.4],
  [1.0, 0.1, 0.6],
  [-0.3, 0.5, -0.8],
  [0.4, 0.4, 0.9],
];
const LABELS = [0, 1, 0, 0];
const INDICES = [4, 1, 5, 0];

function run(loss: Loss, inputs: () => LossInputs): number {
  return tf.tidy(() => loss.compute(inputs()).dataSync()[0]);
}
const features = (): LossInputs => ({ student: tf.tensor2d(S), teacher: tf.tensor2d(T), labels: LABELS, indices: INDICES });

describe('KD loss values against hand computations', () => {
  it('kd (Hinton): T^2 * mean KL(p_t || p_s)', () => {
    const zs: Mat = [
      [1, 2, 0.5, -1],
      [0.3, -0.2, 0.8, 1.5],
    ];
    const zt: Mat = [
      [2, 0.1, -0.5, 0.3],
      [-1, 0.5, 2.2, 0.4],
    ];
    const temp = 4;
    const expected =
      temp *
      temp *
      mean(
        zs.map((row, i) => {
          const ls = logSoftmax(row.map((v) => v / temp));
          const lt = logSoftmax(zt[i].map((v) => v / temp));
          return lt.reduce((s, l, c) => s + Math.exp(l) * (l - ls[c]), 0);
        }),
      );
    const loss = createLoss('kd');
    expectClose(
      run(loss, () => ({ student: tf.tensor2d(zs), teacher: tf.tensor2d(zt), studentLogits: tf.tensor2d(zs), teacherLogits: tf.tensor2d(zt) })),
      expected,
    );
    expect(() => tf.tidy(() => loss.compute({ student: tf.tensor2d(zs), teacher: tf.tensor2d(zt) }))).toThrow(
      /kd\/hinton-kd\.ts: inputs\.studentLogits and inputs\.teacherLogits are required/,
    );
  });

  it('fitnet: mean (s W + b - t)^2 with the learned regressor', () => {
    const loss = createLoss('fitnet', { studentDim: 3, teacherDim: 2, seed: 5 });
    const w = mat(loss.regressor.weight);
    const b = vec(loss.regressor.bias);
    const expected = mean(S.flatMap((s, i) => sub(affine(s, w, b), T[i]).map((d) => d * d)));
    expectClose(run(loss, features), expected);
    expect(loss.variables).toHaveLength(2);
    loss.dispose();
  });

  it('pkt: KL between cosine conditional distributions', () => {
    const cond = (x: Mat): Mat => {
      const u = x.map(unit);
      const k = u.map((a) => u.map((b) => (1 + dot(a, b)) / 2));
      return k.map((row) => row.map((v) => v / row.reduce((s, x2) => s + x2, 0)));
    };
    const ps = cond(S);
    const pt = cond(T);
    const b = S.length;
    let sum = 0;
    for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) sum += pt[i][j] * Math.log((pt[i][j] + 1e-7) / (ps[i][j] + 1e-7));
    expectClose(run(createLoss('pkt'), features), sum / (b * b));
  });

  it('cor: squared difference of batch correlation matrices (cosine and gaussian kernels)', () => {
    const b = S.length;
    const corr = (x: Mat, k: (a: Vec, c: Vec) => number): Mat => x.map(unit).map((a, _i, u) => u.map((c) => k(a, c)));
    const diff = (k: (a: Vec, c: Vec) => number): number => {
      const cs = corr(S, k);
      const ct = corr(T, k);
      let sum = 0;
      for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) sum += (cs[i][j] - ct[i][j]) ** 2;
      return sum / (b * b);
    };
    expectClose(run(createLoss('cor'), features), diff(dot));
    const gamma = 0.4;
    expectClose(
      run(createLoss('cor', { kernel: 'gaussian' }), features),
      diff((a, c) => Math.exp(-gamma * dot(sub(a, c), sub(a, c)))),
    );
    expect(() => createLoss('cor', { kernel: 'rbf' as 'gaussian' })).toThrow(/kd\/cor\.ts: kernel must be/);
  });

  it('rkd: 25 * huber(distance relations) + 50 * huber(angle relations)', () => {
    const b = S.length;
    const distances = (x: Mat): Mat => {
      const d = x.map((a, i) => x.map((c, j) => (i === j ? 0 : Math.sqrt(dot(sub(a, c), sub(a, c))))));
      const positive = d.flat().filter((v) => v > 0);
      const mu = mean(positive);
      return d.map((row) => row.map((v) => v / mu));
    };
    const angles = (x: Mat): Vec => {
      const out: Vec = [];
      for (let a = 0; a < b; a++)
        for (let c = 0; c < b; c++)
          for (let e = 0; e < b; e++) {
            const u = a === c ? x[0].map(() => 0) : unit(sub(x[c], x[a]));
            const v = a === e ? x[0].map(() => 0) : unit(sub(x[e], x[a]));
            out.push(dot(u, v));
          }
      return out;
    };
    const ds = distances(S).flat();
    const dt = distances(T).flat();
    const as = angles(S);
    const at = angles(T);
    const expected = 25 * mean(ds.map((v, i) => huber(v - dt[i]))) + 50 * mean(as.map((v, i) => huber(v - at[i])));
    expectClose(run(createLoss('rkd'), features), expected);
    // weights are options
    expectClose(run(createLoss('rkd', { distanceWeight: 1, angleWeight: 0 }), features), mean(ds.map((v, i) => huber(v - dt[i]))));
  });

  it('rkd: huber switches to |x| - 0.5 for large relation gaps', () => {
    // teacher with one far point makes some normalised-distance gaps exceed 1
    const far: Mat = [
      [0, 0],
      [0.1, 0],
      [0, 0.1],
      [10, 10],
    ];
    const loss = createLoss('rkd', { distanceWeight: 1, angleWeight: 0 });
    const b = S.length;
    const dist = (x: Mat): Vec => {
      const d = x.map((a, i) => x.map((c, j) => (i === j ? 0 : Math.sqrt(dot(sub(a, c), sub(a, c)))))).flat();
      const mu = mean(d.filter((v) => v > 0));
      return d.map((v) => v / mu);
    };
    const ds = dist(S);
    const dt = dist(far);
    expect(ds.some((v, i) => Math.abs(v - dt[i]) > 1)).toBe(true);
    expectClose(
      run(loss, () => ({ student: tf.tensor2d(S), teacher: tf.tensor2d(far) })),
      ds.reduce((s, v, i) => s + huber(v - dt[i]), 0) / (b * b),
    );
  });

  it('sp: squared difference of row-normalised Gram matrices / B^2', () => {
    const b = S.length;
    const g = (x: Mat): Mat => gram(x).map(unit);
    const gs = g(S);
    const gt = g(T);
    let sum = 0;
    for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) sum += (gt[i][j] - gs[i][j]) ** 2;
    expectClose(run(createLoss('sp'), features), sum / (b * b));
  });

  it('at: attention maps of vectors and of [B, H, W, C] feature maps', () => {
    const att = (x: Vec): Vec => unit(x.map((v) => v * v));
    const vecExpected = mean(S.flatMap((s, i) => sub(att(s), att(T3[i])).map((d) => d * d)));
    expectClose(
      run(createLoss('at'), () => ({ student: tf.tensor2d(S), teacher: tf.tensor2d(T3) })),
      vecExpected,
    );

    // maps: B=2, H=2, W=1, student C=2, teacher C=3; a(x) = normalise(mean_c x^2) over the H*W positions
    const ms = [
      [[[1, -2]], [[0.5, 0.5]]],
      [[[0.1, 0.3]], [[-1, 2]]],
    ];
    const mt = [
      [[[0.2, 0.1, -1]], [[2, 0, 1]]],
      [[[1, 1, 1]], [[0.3, -0.2, 0.1]]],
    ];
    const mapAtt = (x: number[][][]): Vec => unit(x.map((row) => mean(row[0].map((v) => v * v))));
    const mapExpected = mean(ms.flatMap((s, i) => sub(mapAtt(s), mapAtt(mt[i])).map((d) => d * d)));
    expectClose(
      run(createLoss('at'), () => ({ student: tf.tensor4d(ms), teacher: tf.tensor4d(mt) })),
      mapExpected,
    );
    expect(() => tf.tidy(() => createLoss('at').compute({ student: tf.tensor2d(S), teacher: tf.tensor2d(T) }))).toThrow(/kd\/at\.ts: .*same batch and size D/);
  });

  it('vid: Gaussian negative log-likelihood with the learned mean regressor and per-dimension variance', () => {
    const loss = createLoss('vid', { studentDim: 3, teacherDim: 2, hiddenDim: 4, seed: 8 });
    const layers = loss.layers.map((l) => ({ w: mat(l.weight), b: vec(l.bias) }));
    const alpha = vec(loss.logScale);
    const variance = alpha.map((a) => Math.log(1 + Math.exp(a)) + 1e-5);
    expect(variance[0]).toBeCloseTo(5, 4); // initVariance
    const mu = (s: Vec): Vec => layers.reduce((h, l, k) => affine(h, l.w, l.b).map((v) => (k < layers.length - 1 ? Math.max(v, 0) : v)), s);
    const expected = mean(S.flatMap((s, i) => mu(s).map((m, d) => 0.5 * ((T[i][d] - m) ** 2 / variance[d] + Math.log(variance[d])))));
    expectClose(run(loss, features), expected);
    expect(loss.variables).toHaveLength(7); // 3 layers x (W, b) + alpha
    loss.dispose();
  });

  it('ifd: squared difference of the cosine to the class prototype', () => {
    const variation = (x: Mat): Vec =>
      x.map((xi, i) => {
        const members = x.filter((_, k) => LABELS[k] === LABELS[i]);
        const proto = xi.map((_, d) => mean(members.map((m) => m[d])));
        return dot(unit(xi), unit(proto));
      });
    const vs = variation(S);
    const vt = variation(T);
    expect(vs[1]).toBeCloseTo(1, 6); // alone in its class
    expectClose(run(createLoss('ifd'), features), mean(vs.map((v, i) => (v - vt[i]) ** 2)));
    expect(() => tf.tidy(() => createLoss('ifd').compute({ student: tf.tensor2d(S), teacher: tf.tensor2d(T) }))).toThrow(
      /kd\/ifd\.ts: inputs\.labels is required/,
    );
    // single-class batch: one prototype, the batch mean
    const single = (x: Mat): Vec => x.map((xi) => dot(unit(xi), unit(xi.map((_, d) => mean(x.map((m) => m[d]))))));
    const ss = single(S);
    const st = single(T);
    expectClose(
      run(createLoss('ifd'), () => ({ ...features(), labels: [3, 3, 3, 3] })),
      mean(ss.map((v, i) => (v - st[i]) ** 2)),
    );
  });

  /** Hand scores [B][K+1] of embeddings against bank rows of the contrast table, divided by T. */
  function handScores(x: Mat, head: { w: Mat; b: Vec }, bank: Mat, contrast: Int32Array, k: number, temp: number): Mat {
    return x.map((xi, i) => {
      const e = unit(affine(xi, head.w, head.b));
      return Array.from(contrast.slice(i * (k + 1), (i + 1) * (k + 1))).map((c) => dot(bank[c], e) / temp);
    });
  }

  const contrastOptions = { studentDim: 3, teacherDim: 2, bankSize: 6, embedDim: 4, numNegatives: 3, seed: 9 };

  it('crd: NCE of both views against the memory banks, with Z fixed by the first batch', () => {
    const loss = createLoss('crd', contrastOptions);
    const k = 3;
    const n = 6;
    const temp = 0.07;
    const contrast = loss.contrastIndices(INDICES);
    const hs = { w: mat(loss.studentHead.linear.weight), b: vec(loss.studentHead.linear.bias) };
    const ht = { w: mat(loss.teacherHead.linear.weight), b: vec(loss.teacherHead.linear.bias) };
    const xs = handScores(S, hs, mat(loss.memory.teacher), contrast, k, temp).map((r) => r.map(Math.exp));
    const xt = handScores(T, ht, mat(loss.memory.student), contrast, k, temp).map((r) => r.map(Math.exp));
    const zs = mean(xs.flat()) * n;
    const zt = mean(xt.flat()) * n;
    const nce = (x: Mat, z: number): number => {
      const mPn = k / n;
      let sum = 0;
      for (const row of x) {
        const p = row[0] / z;
        sum += Math.log(p / (p + mPn + 1e-7));
        for (const v of row.slice(1)) sum += Math.log(mPn / (v / z + mPn + 1e-7));
      }
      return -sum / x.length;
    };
    expect(loss.normalizers).toBeNull();
    expectClose(run(loss, features), nce(xs, zs) + nce(xt, zt));
    expect(loss.normalizers?.student).toBeCloseTo(zs, -Math.log10(zs) + 3);
    loss.dispose();
  });

  it('cmc: symmetric InfoNCE with the positive in column 0', () => {
    const loss = createLoss('cmc', contrastOptions);
    const k = 3;
    const temp = 0.07;
    const contrast = loss.contrastIndices(INDICES);
    const hs = { w: mat(loss.studentHead.linear.weight), b: vec(loss.studentHead.linear.bias) };
    const ht = { w: mat(loss.teacherHead.linear.weight), b: vec(loss.teacherHead.linear.bias) };
    const ce = (scores: Mat): number => -mean(scores.map((r) => logSoftmax(r)[0]));
    const expected = ce(handScores(S, hs, mat(loss.memory.teacher), contrast, k, temp)) + ce(handScores(T, ht, mat(loss.memory.student), contrast, k, temp));
    expectClose(run(loss, features), expected);
    expect(() => tf.tidy(() => loss.compute({ student: tf.tensor2d(S), teacher: tf.tensor2d(T) }))).toThrow(/kd\/cmc\.ts: inputs\.indices is required/);
    loss.dispose();
  });
});
