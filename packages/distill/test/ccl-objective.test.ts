import * as tf from '@tensorflow/tfjs-core';
import { CompositionHead } from '@ccl/compose';
import { cclObjectives } from '../src';
import { presentRows } from '../src/objectives/ccl';
import { expectClose, golden, toTensor } from '../../../tools/fixtures/golden';

const g = golden();

function headFor(c: any): CompositionHead {
  const head = new CompositionHead({ teacherDim: c.teacher_features.shape[1], studentDim: c.student_features.shape[1], numClasses: c.fc_weight.shape[0] });
  head.loadStateDict({
    'mlp.weight': toTensor(c.mlp_weight),
    'mlp.bias': toTensor(c.mlp_bias),
    'fc.weight': toTensor(c.fc_weight),
    'fc.bias': toTensor(c.fc_bias),
  });
  return head;
}

describe('cclObjectives (reference form) against the golden CCL-A step', () => {
  it.each(g.ccl_step.map((c: unknown, i: number) => [i, c]) as [number, any][])('case %i: every term and every gradient', (_i, c) => {
    const head = headFor(c);
    const xv = tf.variable(toTensor(c.student_features));
    const ov = tf.variable(toTensor(c.student_logits));
    const xt = toTensor(c.teacher_features) as tf.Tensor2D;
    const run = () =>
      cclObjectives({
        studentFeatures: xv as unknown as tf.Tensor2D,
        studentLogits: ov as unknown as tf.Tensor2D,
        teacherFeatures: xt,
        labels: c.targets,
        head,
        temperature: c.nce_temperature,
        jsdWeight: c.jsd_weight,
        dropMissing: true,
      });
    const o = run();
    const L = c.losses;
    const expected: Record<string, number> = {
      cls_v: L.cls_v,
      cls_t: L.cls_a,
      vm: L.vm,
      vt: L.va,
      mt: L.ma,
      jsd: L.jsd_a,
      total_student: L.total_v,
      total_composition: L.total_a,
    };
    for (const [k, v] of Object.entries(expected)) expectClose((o.terms as any)[k].dataSync(), [v]);
    // the golden batch holds a row without audio (all zeros): dropped from every teacher term
    const [b, d] = c.teacher_features.shape;
    const zeroRows = Array.from({ length: b }, (_, i) => c.teacher_features.data.slice(i * d, (i + 1) * d).every((v: number) => v === 0)).filter(
      Boolean,
    ).length;
    expect(zeroRows).toBeGreaterThan(0);
    expect(o.teacherRows).toBe(b - zeroRows);

    // Student: gradient of `student` only.
    const sg = tf.variableGrads(() => run().student, [xv, ov]);
    expectClose(sg.grads[xv.name].dataSync(), c.grad_student_features.data);
    expectClose(sg.grads[ov.name].dataSync(), c.grad_student_logits.data);
    // One backward pass of student + composition: the student still gets dL_student, the head both.
    const [wm, bm, wf, bf] = head.trainableVariables;
    const all = tf.variableGrads(() => {
      const r = run();
      return tf.add(r.student, r.composition!) as tf.Scalar;
    }, [xv, ov, wm, bm, wf, bf]);
    expectClose(all.grads[xv.name].dataSync(), c.grad_student_features.data);
    expectClose(all.grads[ov.name].dataSync(), c.grad_student_logits.data);
    expectClose(all.grads[wm.name].dataSync(), c.grad_mlp_weight.data);
    expectClose(all.grads[bm.name].dataSync(), c.grad_mlp_bias.data);
    expectClose(all.grads[wf.name].dataSync(), c.grad_fc_weight.data);
    expectClose(all.grads[bf.name].dataSync(), c.grad_fc_bias.data);
  });
});

describe('cclObjectives details', () => {
  const make = (b: number, d: number, k: number, seed: number) => ({
    xv: tf.randomNormal([b, d], 0, 1, 'float32', seed) as tf.Tensor2D,
    ov: tf.randomNormal([b, k], 0, 1, 'float32', seed + 1) as tf.Tensor2D,
    xt: tf.relu(tf.randomNormal([b, d], 0, 1, 'float32', seed + 2)) as tf.Tensor2D,
  });

  it('drops rows with an all-zero teacher vector from the teacher terms only, equal to running on the kept rows', () => {
    const { xv, ov, xt } = make(6, 5, 3, 3);
    const head = new CompositionHead({ teacherDim: 5, studentDim: 5, numClasses: 3 });
    const y = [0, 1, 2, 0, 1, 2];
    const xtMissing = tf.mul(xt, tf.tensor2d([1, 0, 1, 1, 0, 1], [6, 1])) as tf.Tensor2D;
    expect(presentRows(xtMissing)).toEqual([0, 2, 3, 5]);
    const full = cclObjectives({ studentFeatures: xv, studentLogits: ov, teacherFeatures: xtMissing, labels: y, head, temperature: 0.5, dropMissing: true });
    const keep = tf.tensor1d([0, 2, 3, 5], 'int32');
    const sub = cclObjectives({
      studentFeatures: tf.gather(xv, keep),
      studentLogits: tf.gather(ov, keep),
      teacherFeatures: tf.gather(xt, keep),
      labels: [0, 2, 0, 2],
      head,
      temperature: 0.5,
    });
    expect(full.teacherRows).toBe(4);
    for (const k of ['vm', 'vt', 'mt', 'jsd', 'cls_t'] as const) expectClose(full.terms[k]!.dataSync(), sub.terms[k]!.dataSync(), 1e-6);
    // CE_v keeps the whole batch
    expect(full.terms.cls_v.dataSync()[0]).not.toBeCloseTo(sub.terms.cls_v.dataSync()[0], 4);
    // an explicit mask gives the same answer as zero-detection
    const masked = cclObjectives({
      studentFeatures: xv,
      studentLogits: ov,
      teacherFeatures: xt,
      teacherMask: [1, 0, 1, 1, 0, 1],
      labels: y,
      head,
      temperature: 0.5,
      dropMissing: true,
    });
    expectClose(masked.terms.vm!.dataSync(), full.terms.vm!.dataSync(), 1e-6);
    // no teacher at all: only CE_v
    const none = cclObjectives({
      studentFeatures: xv,
      studentLogits: ov,
      teacherFeatures: tf.zeros([6, 5]) as tf.Tensor2D,
      labels: y,
      head,
      temperature: 0.5,
      dropMissing: true,
    });
    expect(none.teacherRows).toBe(0);
    expectClose(none.student.dataSync(), full.terms.cls_v.dataSync(), 1e-7);
    expect(none.composition!.dataSync()[0]).toBe(0);
  });

  it('paper form: lambda mix for the student, own CE only for the composition', () => {
    const { xv, ov, xt } = make(4, 3, 2, 11);
    const head = new CompositionHead({ teacherDim: 3, studentDim: 3, numClasses: 2 });
    const y = [0, 1, 1, 0];
    const xvVar = tf.variable(xv);
    const run = () =>
      cclObjectives({
        studentFeatures: xvVar as unknown as tf.Tensor2D,
        studentLogits: ov,
        teacherFeatures: xt,
        labels: y,
        head,
        temperature: 0.5,
        form: 'paper',
        lambda: 0.3,
      });
    const o = run();
    const expectedStudent = o.terms.cls_v.dataSync()[0] + 0.3 * o.terms.vt!.dataSync()[0] + 0.7 * o.terms.vm!.dataSync()[0] + o.terms.jsd!.dataSync()[0];
    expect(o.student.dataSync()[0]).toBeCloseTo(expectedStudent, 5);
    expectClose(o.composition!.dataSync(), o.terms.cls_t!.dataSync(), 0);
    // the composition gets gradients from its own CE only
    const vars = head.trainableVariables;
    const both = tf.variableGrads(() => {
      const r = run();
      return tf.add(r.student, r.composition!) as tf.Scalar;
    }, vars);
    const own = tf.variableGrads(() => run().composition!, vars);
    for (const v of vars) expectClose(both.grads[v.name].dataSync(), own.grads[v.name].dataSync(), 1e-6);
    // while the student still learns through the composed feature
    const sg = tf.variableGrads(() => run().student, [xvVar]);
    expect(tf.sum(tf.abs(sg.grads[xvVar.name])).dataSync()[0]).toBeGreaterThan(0);
  });

  it('leaks no tensors and rejects mismatched batches', () => {
    const { xv, ov, xt } = make(4, 3, 2, 21);
    const head = new CompositionHead({ teacherDim: 3, studentDim: 3, numClasses: 2 });
    const before = tf.memory().numTensors;
    const o = cclObjectives({ studentFeatures: xv, studentLogits: ov, teacherFeatures: xt, labels: [0, 1, 0, 1], head, temperature: 0.1, dropMissing: true });
    tf.dispose(Object.values(o.terms));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => cclObjectives({ studentFeatures: xv, studentLogits: ov, teacherFeatures: xt, labels: [0, 1], head, temperature: 0.1 })).toThrow(
      /2 labels for a batch of 4/,
    );
  });
});
