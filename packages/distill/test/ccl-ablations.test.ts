import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CompositionHead, detach } from '@ccl/compose';
import { crossEntropy, jsdLoss, multiClassNce } from '@ccl/losses';
import { cclObjectives, createMethod, loadCheckpoint, resolveExperimentConfig, Trainer, type CclObjectives, type CclTermSwitches, type StepInfo } from '../src';
import { TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

// CCL's ablation switches (config `cclTerms`, objective `switches`): each removes exactly its term(s).

const B = 6;
const D = 5;
const K = 3;
const Y = [0, 1, 2, 0, 1, 2];
const TAU = 0.5;
const W = 0.5;
const LAMBDA = 0.3;

const xv = tf.variable(tf.randomNormal([B, D], 0, 1, 'float32', 5));
const ov = tf.variable(tf.randomNormal([B, K], 0, 1, 'float32', 6));
const xt = tf.relu(tf.randomNormal([B, D], 0, 1, 'float32', 7)) as tf.Tensor2D;
const head = new CompositionHead({ teacherDim: D, studentDim: D, numClasses: K, seed: 11 });
const headVars = head.trainableVariables;
const allVars = [xv, ov, ...headVars];

const run = (form: 'reference' | 'paper', switches?: CclTermSwitches): CclObjectives =>
  cclObjectives({
    studentFeatures: xv as unknown as tf.Tensor2D,
    studentLogits: ov as unknown as tf.Tensor2D,
    teacherFeatures: xt,
    labels: Y,
    head,
    temperature: TAU,
    jsdWeight: W,
    form,
    lambda: LAMBDA,
    switches,
  });
const value = (t: tf.Scalar | undefined) => t!.dataSync()[0];
/** Gradients of `student + composition` (the one backward pass of the trainer) for the student tensors and the head. */
const oneStepGrads = (f: () => CclObjectives) =>
  tf.variableGrads(() => {
    const o = f();
    return (o.composition ? tf.add(o.student, o.composition) : o.student) as tf.Scalar;
  }, allVars).grads;

const nce2 = (a: tf.Tensor2D, b: tf.Tensor2D, y = Y) =>
  tf.add(multiClassNce(a, b, y, { temperature: TAU }), multiClassNce(b, a, y, { temperature: TAU })) as tf.Scalar;

/** The same variables get gradients (none reach a head that is switched off), equal to within float error. */
function expectSameGrads(got: tf.NamedTensorMap, want: tf.NamedTensorMap): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, g] of Object.entries(got)) {
    const w = want[name].dataSync();
    expect(Array.from(g.dataSync()).map((x, i) => Math.abs(x - w[i]) < 1e-5)).not.toContain(false);
  }
}

/** METHOD §4 written out by hand for the reference form, with the terms `on` (the composition's copy on stop-gradient tensors). */
function handReference(on: Required<CclTermSwitches>): tf.Scalar {
  const x = xv as unknown as tf.Tensor2D; // [B, D]
  const o = ov as unknown as tf.Tensor2D; // [B, K]
  let student = crossEntropy(o, Y);
  if (on.vt) student = tf.add(student, nce2(x, xt));
  if (!on.composition) return student;
  const view = head.apply(xt, x); // x_tv [B, D], o_tv [B, K]
  if (on.vm) student = tf.add(student, nce2(x, view.feature));
  if (on.jsd) student = tf.add(student, jsdLoss(o, view.logits, { weight: W }));
  const xD = detach(x) as tf.Tensor2D;
  const comp = head.apply(xt, xD);
  let composition = tf.add(crossEntropy(comp.logits, Y), nce2(comp.feature, xt)) as tf.Scalar; // CE_t + mt
  if (on.vm) composition = tf.add(composition, nce2(xD, comp.feature));
  if (on.jsd) composition = tf.add(composition, jsdLoss(detach(o) as tf.Tensor2D, comp.logits, { weight: W }));
  return tf.add(student, composition) as tf.Scalar;
}

/** The paper form by hand: the student sees the head as constants; the composition trains on its own CE. */
function handPaper(on: Required<CclTermSwitches>): tf.Scalar {
  const x = xv as unknown as tf.Tensor2D;
  const o = ov as unknown as tf.Tensor2D;
  let total = crossEntropy(o, Y);
  if (on.vt) total = tf.add(total, tf.mul(LAMBDA, multiClassNce(x, xt, Y, { temperature: TAU })));
  if (!on.composition) return total;
  const frozen = head.apply(xt, x, { detachParams: true });
  if (on.vm) total = tf.add(total, tf.mul(1 - LAMBDA, multiClassNce(x, frozen.feature, Y, { temperature: TAU })));
  if (on.jsd) total = tf.add(total, jsdLoss(o, frozen.logits, { weight: W }));
  return tf.add(total, crossEntropy(head.apply(xt, detach(x) as tf.Tensor2D).logits, Y)) as tf.Scalar;
}

const ALL_ON = { vm: true, vt: true, jsd: true, composition: true };
/** Each ablation: the switches given, the switches in effect, the logged terms that go. */
const ABLATIONS: [string, CclTermSwitches, Required<CclTermSwitches>, string[]][] = [
  ['vm', { vm: false }, { ...ALL_ON, vm: false }, ['vm']],
  ['vt', { vt: false }, { ...ALL_ON, vt: false }, ['vt']],
  ['jsd', { jsd: false }, { ...ALL_ON, jsd: false }, ['jsd']],
  ['composition', { composition: false }, { vm: false, vt: true, jsd: false, composition: false }, ['vm', 'mt', 'jsd', 'cls_t', 'total_composition']],
];

describe('cclObjectives switches', () => {
  it.each(['reference', 'paper'] as const)('%s form: every switch on is bit-identical to no option (terms and gradients)', (form) => {
    const plain = run(form);
    const on = run(form, ALL_ON);
    expect(Object.keys(on.terms).sort()).toEqual(Object.keys(plain.terms).sort());
    for (const [k, v] of Object.entries(plain.terms)) expect(Array.from((on.terms as any)[k].dataSync())).toEqual(Array.from(v.dataSync()));
    expect(value(on.composition)).toBe(value(plain.composition));
    const g0 = oneStepGrads(() => run(form));
    const g1 = oneStepGrads(() => run(form, ALL_ON));
    for (const v of allVars) expect(Array.from(g1[v.name].dataSync())).toEqual(Array.from(g0[v.name].dataSync()));
  });

  describe.each(ABLATIONS)('%s off', (_name, given, effective, gone) => {
    it('reference form: the totals lose exactly the removed terms, which are not logged', () => {
      const full = run('reference');
      const cut = run('reference', given);
      expect(Object.keys(cut.terms).sort()).toEqual(
        Object.keys(full.terms)
          .filter((k) => !gone.includes(k))
          .sort(),
      );
      const t = full.terms;
      // the student's loss: CE_v + vm + vt + jsd
      const studentLoss = (effective.vm ? 0 : value(t.vm)) + (effective.vt ? 0 : value(t.vt)) + (effective.jsd ? 0 : value(t.jsd));
      expect(value(cut.student)).toBeCloseTo(value(full.student) - studentLoss, 5);
      expect(value(cut.terms.total_student)).toBe(value(cut.student));
      if (!effective.composition) {
        expect(cut.composition).toBeUndefined();
        expect(value(cut.student)).toBeCloseTo(value(t.cls_v) + value(t.vt), 5);
      } else {
        // the composition's loss: CE_t + vm + mt + jsd (the same values on stop-gradient copies)
        const compLoss = (effective.vm ? 0 : value(t.vm)) + (effective.jsd ? 0 : value(t.jsd));
        expect(value(cut.composition)).toBeCloseTo(value(full.composition) - compLoss, 5);
      }
      expect(keptTermsUnchanged(full, cut)).toBe(true);
    });

    it('reference form: gradients of student and head match autodiff of the reduced formula by hand', () => {
      const got = oneStepGrads(() => run('reference', given));
      const want = tf.variableGrads(() => handReference(effective), allVars).grads;
      expectSameGrads(got, want);
      expect(headVars.every((v) => got[v.name] !== undefined)).toBe(effective.composition);
      // and the student's gradient is dL_student alone (reference routing)
      const studentOnly = tf.variableGrads(() => run('reference', given).student, [xv, ov]).grads;
      for (const v of [xv, ov]) expect(Array.from(studentOnly[v.name].dataSync())).toEqual(Array.from(got[v.name].dataSync()));
    });

    it('paper form: the same switch removes the same term from its lambda form', () => {
      const full = run('paper');
      const cut = run('paper', given);
      expect(Object.keys(cut.terms).sort()).toEqual(
        Object.keys(full.terms)
          .filter((k) => !gone.includes(k))
          .sort(),
      );
      const t = full.terms;
      const removed = (effective.vm ? 0 : (1 - LAMBDA) * value(t.vm)) + (effective.vt ? 0 : LAMBDA * value(t.vt)) + (effective.jsd ? 0 : value(t.jsd));
      expect(value(cut.student)).toBeCloseTo(value(full.student) - removed, 5);
      if (effective.composition) expect(value(cut.composition)).toBe(value(t.cls_t));
      else expect(cut.composition).toBeUndefined();
      const got = oneStepGrads(() => run('paper', given));
      const want = tf.variableGrads(() => handPaper(effective), allVars).grads;
      expectSameGrads(got, want);
    });
  });

  it('without the composition module no head is needed, nothing leaks, and rows without a teacher still drop out', () => {
    const before = tf.memory().numTensors;
    const xtMissing = tf.tidy(() => tf.mul(xt, tf.tensor2d([1, 0, 1, 1, 0, 1], [B, 1])) as tf.Tensor2D); // rows 1 and 4 without a teacher
    const o = cclObjectives({
      studentFeatures: xv as unknown as tf.Tensor2D,
      studentLogits: ov as unknown as tf.Tensor2D,
      teacherFeatures: xtMissing,
      labels: Y,
      temperature: TAU,
      dropMissing: true,
      switches: { composition: false },
    });
    expect(o.teacherRows).toBe(4);
    expect(Object.keys(o.terms).sort()).toEqual(['cls_v', 'total_student', 'vt']);
    const keep = [0, 2, 3, 5];
    const rowsOnly = tf.tidy(() =>
      nce2(
        tf.gather(xv, keep) as tf.Tensor2D,
        tf.gather(xt, keep) as tf.Tensor2D,
        keep.map((i) => Y[i]),
      ),
    );
    expect(value(o.terms.vt)).toBeCloseTo(value(rowsOnly), 5);
    tf.dispose([xtMissing, rowsOnly, ...Object.values(o.terms)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      cclObjectives({
        studentFeatures: xv as unknown as tf.Tensor2D,
        studentLogits: ov as unknown as tf.Tensor2D,
        teacherFeatures: xt,
        labels: Y,
        temperature: TAU,
      }),
    ).toThrow(/no composition head given/);
    expect(() => run('reference', { composition: false, jsd: true })).toThrow(
      'composition: false removes the composition module, which jsd compares with; set jsd: false or leave it out (composition: false implies vm: false and jsd: false)',
    );
  });
});

/** The terms that stay are the very same values as in the full run. */
function keptTermsUnchanged(full: CclObjectives, cut: CclObjectives): boolean {
  return (['cls_v', 'cls_t', 'vm', 'vt', 'mt', 'jsd'] as const).every((k) => cut.terms[k] === undefined || value(cut.terms[k]) === value(full.terms[k]));
}

describe('the ccl method with cclTerms', () => {
  const teachers = [
    { name: 'audio', modality: 'audio', dim: D },
    { name: 'image', modality: 'image', dim: D },
  ];
  const base = { method: 'ccl', student: { encoder: 'tiny' }, teachers };
  const ctx = (extra: Record<string, unknown>) => ({ config: resolveExperimentConfig({ ...base, ...extra }), numClasses: K, studentDim: D, datasetSize: B });
  const step = () => ({
    features: xv as unknown as tf.Tensor2D,
    logits: ov as unknown as tf.Tensor2D,
    labels: Y,
    indices: [0, 1, 2, 3, 4, 5],
    teachers: {
      audio: { features: xt, mask: new Uint8Array(B).fill(1) },
      image: { features: tf.reverse(xt, 0) as tf.Tensor2D, mask: new Uint8Array(B).fill(1) },
    },
  });

  it('all switches on: the same total as without the option, bit for bit; composition off: no head, total = CE_v + lw * sum_t vt_t', () => {
    const plain = createMethod('ccl', ctx({}));
    const on = createMethod('ccl', ctx({ cclTerms: ALL_ON }));
    expect(Object.keys(on.modules)).toEqual(['composition.audio', 'composition.image']);
    expect(value(on.loss(step()).total)).toBe(value(plain.loss(step()).total));

    const noComp = createMethod('ccl', ctx({ cclTerms: { composition: false } }));
    expect(noComp.modules).toEqual({});
    expect(noComp.stateDict()).toEqual({});
    const { total, terms } = noComp.loss(step());
    expect(Object.keys(terms).sort()).toEqual(['audio.total_student', 'audio.vt', 'cls_v', 'image.total_student', 'image.vt', 'total_student']);
    expect(value(total)).toBeCloseTo(value(terms.cls_v) + 0.5 * (value(terms['audio.vt']) + value(terms['image.vt'])), 5);

    const noJsd = createMethod('ccl', ctx({ cclTerms: { jsd: false } })).loss(step()).terms;
    expect(Object.keys(noJsd).filter((k) => k.endsWith('jsd'))).toEqual([]);
    expect(noJsd['audio.mt']).toBeDefined();
    [plain, on, noComp].forEach((m) => m.dispose());
  });

  it('composition off trains with the tiny student: the loss goes down, and checkpoints hold no composition', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-ablation-'));
    const steps: StepInfo[] = [];
    const trainer = new Trainer({
      config: {
        method: 'ccl',
        seed: 3,
        student: { encoder: 'tiny' },
        teachers: [{ name: 'audio', modality: 'audio', dim: 6 }],
        cclTerms: { composition: false },
        optimizer: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
        schedule: { kind: 'constant' },
        epochs: 6,
        batchSize: 6,
        validation: { policy: 'none' },
      },
      student: new TinyStudent(27, 6, 3),
      numClasses: 3,
      studentDim: 6,
      train: tinySource(18, 3, [2, 3, 3, 3]),
      outDir,
      progress: null,
      onStep: (s) => steps.push(s),
    });
    await trainer.fit();
    trainer.dispose();
    expect(steps).toHaveLength(18);
    const losses = steps.map((s) => s.terms.loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)));
    expect(Object.keys(steps[0].terms).sort()).toEqual(['audio.total_student', 'audio.vt', 'cls_v', 'loss', 'total_student']);
    const { tensors } = loadCheckpoint(path.join(outDir, 'checkpoints', 'latest.ckpt'));
    const names = Object.keys(tensors);
    expect(names.some((n) => n.startsWith('student.'))).toBe(true);
    expect(names.filter((n) => !n.startsWith('student.') && !n.startsWith('optim.student.'))).toEqual([]);
    tf.dispose(Object.values(tensors));
  });
});

describe('experiment config: cclTerms', () => {
  const base = { method: 'ccl', student: { encoder: 'r2plus1d-18' }, teachers: [{ name: 'audio', modality: 'audio', dim: 512 }] };

  it('is absent by default (the reference) and kept as given', () => {
    expect(resolveExperimentConfig(base).cclTerms).toBeUndefined();
    expect(resolveExperimentConfig({ ...base, cclTerms: { composition: false, vm: false } }).cclTerms).toEqual({ composition: false, vm: false });
  });

  it('refuses unknown keys, non-booleans and composition: false with vm or jsd set to true, naming the file', () => {
    expect(() => resolveExperimentConfig({ ...base, cclTerms: { vn: false } }, 'runs/a.json')).toThrow(
      /runs\/a\.json\.cclTerms\.vn: unknown key \(did you mean 'vm'\?\)/,
    );
    expect(() => resolveExperimentConfig({ ...base, cclTerms: { jsd: 'no' } }, 'runs/a.json')).toThrow(
      /runs\/a\.json\.cclTerms\.jsd: expected true or false, got string/,
    );
    expect(() => resolveExperimentConfig({ ...base, cclTerms: { composition: false, vm: true, jsd: true } }, 'runs/a.json')).toThrow(
      'invalid experiment config: runs/a.json.cclTerms: composition: false removes the composition module, which vm and jsd compare with; set vm: false and jsd: false or leave them out (composition: false implies vm: false and jsd: false)',
    );
  });
});
