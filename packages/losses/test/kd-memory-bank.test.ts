// Memory banks of CRD/CMC: seeded initialisation, per-step negatives, the momentum update, and that the
// optimiser never touches them.
import * as tf from '@tensorflow/tfjs-core';
import { ContrastMemory, createLoss, type LossInputs } from '@ccl/losses';

type Mat = number[][];
const unit = (a: number[]): number[] => {
  const n = Math.max(Math.sqrt(a.reduce((s, v) => s + v * v, 0)), 1e-12);
  return a.map((v) => v / n);
};

describe('ContrastMemory', () => {
  it('initialises both banks from the seed, uniformly within 1/sqrt(E/3), as non-trainable variables', () => {
    const a = new ContrastMemory({ size: 50, dim: 12, seed: 4 });
    const b = new ContrastMemory({ size: 50, dim: 12, seed: 4 });
    const c = new ContrastMemory({ size: 50, dim: 12, seed: 5 });
    const bound = 1 / Math.sqrt(12 / 3);
    const values = Array.from(a.student.dataSync());
    expect(Array.from(b.student.dataSync())).toEqual(values);
    expect(Array.from(c.student.dataSync())).not.toEqual(values);
    expect(Array.from(a.teacher.dataSync())).not.toEqual(values); // the two banks differ
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values)).toBeGreaterThan(0.8 * bound); // spread over the interval, not a constant
    expect(a.student.trainable).toBe(false);
    expect(a.teacher.trainable).toBe(false);
    for (const m of [a, b, c]) m.dispose();
  });

  it('draws the same negatives until the step advances, never the positive, other classes when labelled', () => {
    const labels = [0, 0, 1, 1, 2, 2, 0, 1];
    const m = new ContrastMemory({ size: 8, dim: 2, seed: 1, labels });
    const idx = Int32Array.from([0, 3, 5]);
    const first = m.contrastIndices(idx, 20);
    expect(Array.from(m.contrastIndices(idx, 20))).toEqual(Array.from(first));
    for (let i = 0; i < 3; i++) {
      expect(first[i * 21]).toBe(idx[i]);
      for (let j = 1; j <= 20; j++) {
        const c = first[i * 21 + j];
        expect(c).not.toBe(idx[i]);
        expect(labels[c]).not.toBe(labels[idx[i]]);
      }
    }
    m.advance();
    expect(m.step).toBe(1);
    expect(Array.from(m.contrastIndices(idx, 20))).not.toEqual(Array.from(first));
    m.dispose();
  });

  it('momentum update: row <- normalise(m row + (1 - m) e) at the batch indices, last duplicate wins, others unchanged', () => {
    const m = new ContrastMemory({ size: 5, dim: 3, seed: 2, momentum: 0.25 });
    const before = { s: m.student.arraySync() as Mat, t: m.teacher.arraySync() as Mat };
    const es: Mat = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const et: Mat = [
      [0.6, 0.8, 0],
      [0, 0.6, 0.8],
      [0.8, 0, 0.6],
    ];
    const idx = Int32Array.from([3, 1, 3]); // 3 twice: the last occurrence (row 2) wins
    const count = tf.memory().numTensors;
    m.update(idx, tf.tensor2d(es), tf.tensor2d(et));
    expect(tf.memory().numTensors).toBe(count + 2); // only the two input tensors made here
    const after = { s: m.student.arraySync() as Mat, t: m.teacher.arraySync() as Mat };
    const mix = (row: number[], e: number[]): number[] => unit(row.map((v, d) => 0.25 * v + 0.75 * e[d]));
    const expectRow = (got: number[], want: number[]): void => want.forEach((v, d) => expect(got[d]).toBeCloseTo(v, 6));
    expectRow(after.s[1], mix(before.s[1], es[1]));
    expectRow(after.s[3], mix(before.s[3], es[2]));
    expectRow(after.t[3], mix(before.t[3], et[2]));
    for (const r of [0, 2, 4]) {
      expect(after.s[r]).toEqual(before.s[r]);
      expect(after.t[r]).toEqual(before.t[r]);
    }
    expect(m.step).toBe(1);
    m.dispose();
  });

  it('rejects bad configurations with clear errors', () => {
    expect(() => new ContrastMemory({ size: 1, dim: 2 })).toThrow(/kd\/memory-bank\.ts: a memory bank needs at least 2 rows/);
    expect(() => new ContrastMemory({ size: 3, dim: 2, labels: [1, 1, 1] })).toThrow(/single class/);
    expect(() => new ContrastMemory({ size: 3, dim: 2, labels: [1, 2] })).toThrow(/labels has 2 entries, the bank has 3 rows/);
    expect(() => new ContrastMemory({ size: 3, dim: 2, momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
  });
});

describe('CRD / CMC training state', () => {
  const S = [
    [0.5, -1.0, 2.0],
    [1.5, 0.3, -0.7],
  ];
  const T = [
    [1.0, 0.2],
    [-0.5, 1.1],
  ];
  const options = { studentDim: 3, teacherDim: 2, bankSize: 6, embedDim: 4, numNegatives: 3, seed: 9 };

  it('afterStep writes the current embeddings into the banks and moves to new negatives; Z stays fixed', () => {
    const loss = createLoss('crd', options);
    const inputs = (): LossInputs => ({ student: tf.tensor2d(S), teacher: tf.tensor2d(T), indices: [2, 4] });
    tf.tidy(() => loss.compute(inputs()));
    const z = loss.normalizers;
    const firstContrast = loss.contrastIndices([2, 4]);
    const bankBefore = loss.memory.student.arraySync() as Mat;
    const teacherBankBefore = loss.memory.teacher.arraySync() as Mat;
    const embedding = tf.tidy(() => loss.teacherHead.apply(tf.tensor2d(T)).arraySync() as Mat);
    tf.tidy(() => loss.afterStep?.(inputs()));
    const bankAfter = loss.memory.student.arraySync() as Mat;
    // the *student* bank stores the student embedding; check row 2 against the student head
    const studentEmb = tf.tidy(() => loss.studentHead.apply(tf.tensor2d(S)).arraySync() as Mat);
    const want = unit(bankBefore[2].map((v, d) => 0.5 * v + 0.5 * studentEmb[0][d]));
    want.forEach((v, d) => expect(bankAfter[2][d]).toBeCloseTo(v, 6));
    expect(bankAfter[0]).toEqual(bankBefore[0]);
    // the teacher bank stores the teacher embedding: dataset index 4 is batch row 1
    const teacherBank = loss.memory.teacher.arraySync() as Mat;
    unit(teacherBankBefore[4].map((v, d) => 0.5 * v + 0.5 * embedding[1][d])).forEach((v, d) => expect(teacherBank[4][d]).toBeCloseTo(v, 6));
    expect(Array.from(loss.contrastIndices([2, 4]))).not.toEqual(Array.from(firstContrast));
    tf.tidy(() => loss.compute(inputs()));
    expect(loss.normalizers).toEqual(z);
    loss.dispose();
  });

  it.each(['crd', 'cmc'] as const)('%s: the optimiser trains the heads but never the memory banks', (name) => {
    const loss = createLoss(name, options);
    const student = tf.variable(tf.tensor2d(S));
    const teacher = tf.tensor2d(T);
    const bankVars = loss.memory.variables; // both banks and their step counter
    const banks = bankVars.map((b) => Array.from(b.dataSync()));
    const heads = loss.variables.map((v) => Array.from(v.dataSync()));
    expect(loss.buffers).toEqual(expect.arrayContaining(bankVars));
    const optimizer = tf.train.sgd(0.5);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const inputs = { student, teacher, indices: [1, 5] };
      const cost = optimizer.minimize(() => loss.compute(inputs), true); // all trainable variables
      losses.push(cost?.dataSync()[0] ?? NaN);
      cost?.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    bankVars.forEach((b, i) => expect(Array.from(b.dataSync())).toEqual(banks[i]));
    expect(loss.variables.some((v, i) => Array.from(v.dataSync()).some((x, j) => x !== heads[i][j]))).toBe(true);
    optimizer.dispose();
    student.dispose();
    teacher.dispose();
    loss.dispose();
    expect(loss.buffers?.every((b) => b.isDisposed)).toBe(true);
  });

  it('names its variables for checkpoints and can restore its step and normalisers', () => {
    const a = createLoss('crd', options);
    const b = createLoss('crd', options);
    const names = [...a.variables, ...(a.buffers ?? [])].map((v) => v.name);
    expect(names).toEqual(
      ['student_head/weight', 'student_head/bias', 'teacher_head/weight', 'teacher_head/bias', 'student_bank', 'teacher_bank', 'step', 'normalizers'].map((n) =>
        expect.stringMatching(new RegExp(`^ccl_losses/crd_\\d+/${n}$`)),
      ),
    );
    expect(b.variables[0].name).not.toBe(a.variables[0].name);
    // resume: b continues a after one step
    const inputs = (): LossInputs => ({ student: tf.tensor2d(S), teacher: tf.tensor2d(T), indices: [2, 4] });
    tf.tidy(() => a.compute(inputs()));
    tf.tidy(() => a.afterStep?.(inputs()));
    [...a.variables, ...(a.buffers ?? [])].forEach((v, i) => [...b.variables, ...(b.buffers ?? [])][i].assign(v));
    b.memory.setStep(a.memory.step);
    b.setNormalizers(a.normalizers ?? { student: 1, teacher: 1 });
    const va = tf.tidy(() => a.compute(inputs()).dataSync()[0]);
    const vb = tf.tidy(() => b.compute(inputs()).dataSync()[0]);
    expect(vb).toBe(va);
    expect(() => b.setNormalizers({ student: 0, teacher: 1 })).toThrow(/kd\/crd\.ts: normalizers must be finite and > 0/);
    a.dispose();
    b.dispose();
  });

  it('rejects indices outside the bank', () => {
    const loss = createLoss('crd', options);
    expect(() => tf.tidy(() => loss.compute({ student: tf.tensor2d(S), teacher: tf.tensor2d(T), indices: [0, 6] }))).toThrow(
      /kd\/crd\.ts: indices\[1\] = 6 is not an integer in \[0, 6\)/,
    );
    loss.dispose();
  });
});
