// Properties every KD loss must have: finite-difference gradients w.r.t. the student features, descent when
// the student is optimised toward a fixed teacher, defined results for a batch of one, a clear error for
// NaN features, and no leaked tensors.
import * as tf from '@tensorflow/tfjs-core';
import { createLoss, type Loss, type LossInputs } from '@ccl/losses';

interface Case {
  name: string;
  make: () => Loss;
  /** Inputs with `x` in the student's slot (features, or logits for KD). */
  inputs: (x: tf.Tensor, batch: number) => LossInputs;
  studentShape: (batch: number) => number[];
  /** Value for a batch of one: exactly 0 for relational losses, otherwise finite. */
  batchOfOne: 'zero' | 'finite';
  learningRate: number;
}

const B = 4;
const DS = 3;
const DT = 5;
const K = 4;

/** Deterministic test data in [-1, 1) (no tf randomness). */
function data(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 4294967296) * 2 - 1;
  }
  return tf.tensor(v, shape);
}

/** Fixed tensors shared by every test (created once, kept: tidy scopes never dispose them). */
const fixed = new Map<string, tf.Tensor>();
function cached(shape: number[], seed: number): tf.Tensor {
  const key = `${shape.join('x')}:${seed}`;
  if (!fixed.has(key)) fixed.set(key, tf.keep(data(shape, seed)));
  return fixed.get(key) as tf.Tensor;
}
const teacher = (b: number, d = DT): tf.Tensor2D => cached([b, d], 77) as tf.Tensor2D;
const labels = (b: number): number[] => [0, 1, 0, 1, 1, 0].slice(0, b);
const indices = (b: number): number[] => [3, 7, 0, 5, 2, 9].slice(0, b);
const features = (x: tf.Tensor, b: number): LossInputs => ({ student: x, teacher: teacher(b), labels: labels(b), indices: indices(b) });

const cases: Case[] = [
  {
    name: 'kd',
    make: () => createLoss('kd', { temperature: 2 }),
    inputs: (x, b) => ({ student: x, teacher: x, studentLogits: x as tf.Tensor2D, teacherLogits: cached([b, K], 5) as tf.Tensor2D }),
    studentShape: (b) => [b, K],
    batchOfOne: 'finite',
    learningRate: 1,
  },
  {
    name: 'fitnet',
    make: () => createLoss('fitnet', { studentDim: DS, teacherDim: DT, seed: 1 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 0.5,
  },
  { name: 'pkt', make: () => createLoss('pkt'), inputs: features, studentShape: (b) => [b, DS], batchOfOne: 'zero', learningRate: 5 },
  { name: 'cor', make: () => createLoss('cor'), inputs: features, studentShape: (b) => [b, DS], batchOfOne: 'zero', learningRate: 1 },
  {
    name: 'cor (gaussian)',
    make: () => createLoss('cor', { kernel: 'gaussian', gamma: 0.5 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'zero',
    learningRate: 1,
  },
  { name: 'rkd', make: () => createLoss('rkd'), inputs: features, studentShape: (b) => [b, DS], batchOfOne: 'zero', learningRate: 0.005 },
  {
    name: 'crd',
    make: () => createLoss('crd', { studentDim: DS, teacherDim: DT, bankSize: 10, embedDim: 4, numNegatives: 5, temperature: 0.5, seed: 3 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 0.2,
  },
  {
    name: 'cmc',
    make: () => createLoss('cmc', { studentDim: DS, teacherDim: DT, bankSize: 10, embedDim: 4, numNegatives: 5, temperature: 0.5, seed: 3 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 0.2,
  },
  { name: 'ifd', make: () => createLoss('ifd'), inputs: features, studentShape: (b) => [b, DS], batchOfOne: 'zero', learningRate: 1 },
  {
    name: 'at (vectors)',
    make: () => createLoss('at'),
    inputs: (x, b) => ({ student: x, teacher: teacher(b, DS) }),
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 1,
  },
  {
    name: 'at (maps)',
    make: () => createLoss('at'),
    inputs: (x, b) => ({ student: x, teacher: cached([b, 2, 2, 3], 9) }),
    studentShape: (b) => [b, 2, 2, 2],
    batchOfOne: 'finite',
    learningRate: 1,
  },
  { name: 'sp', make: () => createLoss('sp'), inputs: features, studentShape: (b) => [b, DS], batchOfOne: 'zero', learningRate: 1 },
  {
    name: 'vid',
    make: () => createLoss('vid', { studentDim: DS, teacherDim: DT, seed: 2 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 1,
  },
  {
    name: 'vid (linear)',
    make: () => createLoss('vid', { studentDim: DS, teacherDim: DT, regressor: 'linear', initVariance: 1 }),
    inputs: features,
    studentShape: (b) => [b, DS],
    batchOfOne: 'finite',
    learningRate: 1,
  },
];

const value = (loss: Loss, c: Case, x: tf.Tensor, b: number): number => tf.tidy(() => loss.compute(c.inputs(x, b)).dataSync()[0]);

describe.each(cases)('$name', (c) => {
  let loss: Loss;
  beforeEach(() => {
    loss = c.make();
  });
  afterEach(() => loss.dispose());

  it('has a gradient w.r.t. the student that matches central finite differences', () => {
    const shape = c.studentShape(B);
    const x0 = data(shape, 11);
    const analytic = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => loss.compute(c.inputs(x, B)))(x0)
        .dataSync(),
    );
    const base = x0.dataSync();
    const eps = 1e-2;
    let maxAbs = 0;
    for (const g of analytic) maxAbs = Math.max(maxAbs, Math.abs(g));
    expect(maxAbs).toBeGreaterThan(1e-6); // a zero gradient would pass any comparison
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i] += eps;
      minus[i] -= eps;
      const tp = tf.tensor(plus, shape);
      const tm = tf.tensor(minus, shape);
      const fd = (value(loss, c, tp, B) - value(loss, c, tm, B)) / (2 * eps);
      tp.dispose();
      tm.dispose();
      expect(Math.abs(fd - analytic[i])).toBeLessThanOrEqual(1e-2 * Math.max(Math.abs(fd), Math.abs(analytic[i])) + 2e-3 * maxAbs);
    }
    x0.dispose();
  });

  it('decreases when the student features are optimised toward the fixed teacher', () => {
    const x = tf.variable(data(c.studentShape(B), 21));
    const optimizer = tf.train.sgd(c.learningRate);
    const start = value(loss, c, x, B);
    for (let step = 0; step < 5; step++) optimizer.minimize(() => loss.compute(c.inputs(x, B)), false, [x]);
    const end = value(loss, c, x, B);
    expect(Number.isFinite(start)).toBe(true);
    expect(end).toBeLessThan(start);
    optimizer.dispose();
    x.dispose();
  });

  it('gives a defined result for a batch of one', () => {
    const x = data(c.studentShape(1), 31);
    const v = value(loss, c, x, 1);
    const grad = tf.tidy(() =>
      tf
        .grad((s: tf.Tensor) => loss.compute(c.inputs(s, 1)))(x)
        .dataSync(),
    );
    expect(Number.isFinite(v)).toBe(true);
    if (c.batchOfOne === 'zero') expect(v).toBe(0);
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
    x.dispose();
  });

  it('throws a clear error on a NaN feature, and returns NaN when checks are off', () => {
    const shape = c.studentShape(B);
    const raw = Float32Array.from(data(shape, 41).dataSync());
    raw[1] = NaN;
    const x = tf.tensor(raw, shape);
    expect(() => value(loss, c, x, B)).toThrow(/@ccl\/losses kd\/[a-z-]+\.ts: student(Logits)? contains NaN at flat index 1/);
    x.dispose();
  });

  it('leaves tf.memory().numTensors unchanged after compute (and afterStep)', () => {
    const x = data(c.studentShape(B), 51);
    const inputs = c.inputs(x, B);
    const before = tf.memory().numTensors;
    loss.compute(inputs).dispose();
    loss.afterStep?.(inputs);
    tf.tidy(() => {
      tf.grad((s: tf.Tensor) => loss.compute(c.inputs(s, B)))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(cases)('$name lifecycle', (c) => {
  it('frees every tensor it made (variables, banks, temporaries) on dispose', () => {
    const x = data(c.studentShape(B), 91);
    const inputs = c.inputs(x, B);
    const before = tf.memory();
    const loss = c.make();
    loss.compute(inputs).dispose();
    loss.afterStep?.(inputs);
    loss.dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(loss.variables.every((v) => v.isDisposed)).toBe(true);
    x.dispose();
  });
});

describe.each(cases)('$name with an all-zero teacher row', (c) => {
  it('gives a finite value and gradient', () => {
    const loss = c.make();
    const x = data(c.studentShape(B), 71);
    const inputs = (s: tf.Tensor): LossInputs => {
      const base = c.inputs(s, B);
      const zeroFirstRow = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.reshape(tf.tensor1d([0, 1, 1, 1]), [B, ...t.shape.slice(1).map(() => 1)]));
      return {
        ...base,
        teacher: zeroFirstRow(base.teacher),
        teacherLogits: base.teacherLogits ? (zeroFirstRow(base.teacherLogits) as tf.Tensor2D) : undefined,
      };
    };
    const v = tf.tidy(() => loss.compute(inputs(x)).dataSync()[0]);
    const grad = tf.tidy(() =>
      tf
        .grad((s: tf.Tensor) => loss.compute(inputs(s)))(x)
        .dataSync(),
    );
    expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
    x.dispose();
    loss.dispose();
  });
});

describe.each(cases.filter((c) => ['fitnet', 'crd', 'cmc', 'vid', 'vid (linear)'].includes(c.name)))('$name trainable state', (c) => {
  it('has gradients w.r.t. its variables that match central finite differences', () => {
    const loss = c.make();
    const x = data(c.studentShape(B), 81);
    const f = (): tf.Scalar => loss.compute(c.inputs(x, B)) as tf.Scalar;
    tf.tidy(() => f()); // CRD fixes its normalisers on the first call
    const { grads } = tf.variableGrads(f, loss.variables as tf.Variable[]);
    const eps = 1e-2;
    let checked = 0;
    for (const v of loss.variables) {
      const analytic = grads[v.name].dataSync();
      const base = Float32Array.from(v.dataSync());
      const scale = Math.max(...Array.from(analytic, Math.abs));
      // the first three entries of every variable
      for (let i = 0; i < Math.min(3, base.length); i++) {
        const at = (delta: number): number => {
          const moved = Float32Array.from(base);
          moved[i] += delta;
          tf.tidy(() => v.assign(tf.tensor(moved, v.shape)));
          return tf.tidy(() => f().dataSync()[0]);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
        expect(Math.abs(fd - analytic[i])).toBeLessThanOrEqual(1e-2 * Math.max(Math.abs(fd), Math.abs(analytic[i])) + 2e-3 * scale + 1e-6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
    expect(Object.values(grads).some((g) => g.dataSync().some((v) => v !== 0))).toBe(true);
    tf.dispose(grads);
    x.dispose();
    loss.dispose();
  });
});

describe('checkFinite: false', () => {
  it('skips the data read and lets NaN propagate (documented)', () => {
    const loss = createLoss('pkt', { checkFinite: false });
    const raw = Float32Array.from(data([B, DS], 61).dataSync());
    raw[0] = NaN;
    const v = tf.tidy(() => loss.compute({ student: tf.tensor2d(raw, [B, DS]), teacher: teacher(B) }).dataSync()[0]);
    expect(Number.isNaN(v)).toBe(true);
  });
});
