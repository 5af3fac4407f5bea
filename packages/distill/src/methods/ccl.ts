import * as tf from '@tensorflow/tfjs-core';
import { createComposition, type Composition } from '@ccl/compose';
import { crossEntropy } from '@ccl/losses';
import { cclObjectives, resolveCclTermSwitches } from '../objectives/ccl';
import type { Method, MethodContext } from './method';
import { registerMethod } from './registry';

/**
 * CCL with any number of teachers (A, I, AI; METHOD §4). Per teacher t, `cclObjectives` gives
 * L_student^t = CE_v + vm_t + vt_t + jsd_t and L_comp^t. With weight lw (0.5 when there are several
 * teachers, as in the reference AI runs):
 *
 *     L_student = CE_v + lw * sum_t (vm_t + vt_t) + lw * sum_t jsd_t
 *     total     = L_student + sum_t L_comp^t            (one backward pass; L_comp on stop-gradient copies)
 *
 * so the student gets dL_student and each composition module dL_student + dL_comp^t.
 *
 * Ablations (`config.cclTerms`, every switch on by default = the above, bit for bit). A switched-off term is
 * not computed, not logged, and drops out of both L_student and L_comp^t (its stop-gradient copy included):
 *
 *     vm: false           L_student = CE_v + lw * sum_t vt_t + lw * sum_t jsd_t;   L_comp^t = CE_t + mt_t + jsd_t
 *     vt: false           L_student = CE_v + lw * sum_t vm_t + lw * sum_t jsd_t;   L_comp^t unchanged
 *     jsd: false          L_student = CE_v + lw * sum_t (vm_t + vt_t);             L_comp^t = CE_t + vm_t + mt_t
 *     composition: false  L_student = CE_v + lw * sum_t vt_t;  total = L_student   (implies vm: false, jsd: false)
 *
 * (combinations compose: e.g. vm and jsd off leave L_comp^t = CE_t + mt_t, which trains the head alone).
 * Without the composition module no head is created: no parameters, no optimiser, nothing in checkpoints;
 * cls_t, vm, mt and jsd are not computed. Each term is a scalar over the batch's teacher rows
 * (x_v [B, Ds], x_t [B, Dt], o_v [B, K]). The paper form (`ccl-paper`) takes the same switches: vm, vt, jsd
 * leave its student loss CE_v + lambda vt + (1 - lambda) vm + jsd (its L_comp^t is CE_t alone), and
 * composition: false leaves CE_v + lambda vt.
 */
export function cclMethod(form: 'reference' | 'paper') {
  return (ctx: MethodContext): Method => {
    const { config } = ctx;
    const lw = config.lossWeight ?? (config.teachers.length > 1 ? 0.5 : 1);
    const switches = resolveCclTermSwitches(config.cclTerms);
    const heads: Record<string, Composition> = {};
    config.teachers.forEach((t, i) => {
      if (t.dim !== ctx.studentDim) {
        throw new Error(
          `ccl: teacher '${t.name}' has ${t.dim}-d features but the student has ${ctx.studentDim}-d ones; the contrastive terms compare them directly (both 512 in the paper)`,
        );
      }
      if (switches.composition)
        heads[t.name] = createComposition(t.composition, {
          teacherDim: t.dim,
          studentDim: ctx.studentDim,
          numClasses: ctx.numClasses,
          seed: config.seed * 1000 + 10 * i,
        });
    });
    const name = form === 'paper' ? 'ccl-paper' : 'ccl';
    return {
      name,
      modules: Object.fromEntries(Object.entries(heads).map(([n, h]) => [`composition.${n}`, h.trainableVariables])),
      loss: (s) => {
        const clsV = crossEntropy(s.logits, s.labels);
        const terms: Record<string, tf.Scalar> = { cls_v: clsV };
        const distill: tf.Scalar[] = [];
        const comps: tf.Scalar[] = [];
        for (const t of config.teachers) {
          const te = s.teachers[t.name];
          if (!te) throw new Error(`${name}: the batch has no features for teacher '${t.name}'`);
          const o = cclObjectives({
            studentFeatures: s.features,
            studentLogits: s.logits,
            teacherFeatures: te.features,
            teacherMask: te.mask,
            labels: s.labels,
            head: heads[t.name],
            temperature: t.temperature,
            jsdWeight: config.jsdWeight,
            dropMissing: t.dropMissing,
            form,
            lambda: config.lambda,
            switches,
          });
          for (const [k, v] of Object.entries(o.terms)) if (k !== 'cls_v') terms[`${t.name}.${k}`] = v;
          distill.push(tf.sub(o.student, o.terms.cls_v) as tf.Scalar);
          if (o.composition) comps.push(o.composition);
          o.terms.cls_v.dispose();
        }
        const student = tf.add(clsV, tf.mul(lw, tf.addN(distill))) as tf.Scalar;
        terms.total_student = student;
        return { total: comps.length ? (tf.add(student, tf.addN(comps)) as tf.Scalar) : student, terms };
      },
      stateDict: () => {
        const out: Record<string, tf.Tensor> = {};
        for (const [n, h] of Object.entries(heads)) for (const [k, v] of Object.entries(h.stateDict())) out[`${n}.${k}`] = v;
        return out;
      },
      loadStateDict: (dict) => {
        for (const [n, h] of Object.entries(heads)) {
          const sub = Object.fromEntries(
            Object.entries(dict)
              .filter(([k]) => k.startsWith(`${n}.`))
              .map(([k, v]) => [k.slice(n.length + 1), v]),
          );
          h.loadStateDict(sub);
        }
      },
      dispose: () => Object.values(heads).forEach((h) => h.dispose()),
    };
  };
}

registerMethod('ccl', cclMethod('reference'));
registerMethod('ccl-paper', cclMethod('paper'));
