import * as tf from '@tensorflow/tfjs-core';
import { detach, type Composition } from '@ccl/compose';
import { crossEntropy, jsdLoss, multiClassNce, type Labels } from '@ccl/losses';
import { selectRows } from '../ops/select-rows';

/** Inputs of the CCL objective for ONE teacher. */
export interface CclInputs {
  /** Student pooled features x_v [B, Ds] (carry gradients to the student). */
  studentFeatures: tf.Tensor2D;
  /** Student logits o_v [B, K]. */
  studentLogits: tf.Tensor2D;
  /** Frozen teacher features x_t [B, Dt] (constants). */
  teacherFeatures: tf.Tensor2D;
  /** Video labels [B]. */
  labels: Labels;
  /** The teacher's composition module. */
  head: Composition;
  /** NCE temperature tau (0.5 audio, 0.1 image in the reference). */
  temperature: number;
  /** Weight w of the JSD term (0.5 in every reference run). */
  jsdWeight?: number;
  /**
   * Drop rows whose teacher vector is missing from every teacher term (the reference does this for audio:
   * an all-zero vector means "no audio"). CE on the student still uses the whole batch.
   */
  dropMissing?: boolean;
  /** Per-row "has teacher" flags; when absent and `dropMissing`, rows whose teacher vector is all zeros are missing. */
  teacherMask?: ArrayLike<boolean | number>;
  /** Objective form: the authors' code (default) or the paper's lambda form. */
  form?: 'reference' | 'paper';
  /** lambda of the paper form (not recoverable from the paper: a parameter). Default 0.5. */
  lambda?: number;
}

/** Every term of METHOD §4 (scalars; the caller owns them). */
export interface CclTerms {
  /** CE(o_v, y) on the whole batch. */
  cls_v: tf.Scalar;
  /** CE(o_tv, y) of the composition's classifier. */
  cls_t: tf.Scalar;
  /** nce(x_v, x_tv) + nce(x_tv, x_v). */
  vm: tf.Scalar;
  /** nce(x_v, x_t) + nce(x_t, x_v). */
  vt: tf.Scalar;
  /** nce(x_tv, x_t) + nce(x_t, x_tv). */
  mt: tf.Scalar;
  /** jsd(o_v, o_tv) with weight w. */
  jsd: tf.Scalar;
  total_student: tf.Scalar;
  total_composition: tf.Scalar;
}

export interface CclObjectives {
  /** Loss whose gradient the student receives. */
  student: tf.Scalar;
  /**
   * Loss computed on stop-gradient copies of the student tensors: the composition module is updated with
   * the gradient of `student + composition`, the student with that of `student` only (reference routing).
   */
  composition: tf.Scalar;
  terms: CclTerms;
  /** Rows that took part in the teacher terms. */
  teacherRows: number;
}

/** Indices of the rows that have a teacher vector. */
export function presentRows(teacherFeatures: tf.Tensor2D, mask?: ArrayLike<boolean | number>): number[] {
  const [batch, dim] = teacherFeatures.shape;
  if (mask) {
    if (mask.length !== batch) throw new Error(`teacherMask has ${mask.length} entries for a batch of ${batch}`);
    return Array.from({ length: batch }, (_, i) => i).filter((i) => Boolean(mask[i]));
  }
  const values = teacherFeatures.dataSync();
  const rows: number[] = [];
  for (let i = 0; i < batch; i++) {
    for (let k = 0; k < dim; k++) {
      if (values[i * dim + k] !== 0) {
        rows.push(i);
        break;
      }
    }
  }
  return rows;
}

function labelArray(labels: Labels): number[] {
  return Array.from(labels instanceof tf.Tensor ? labels.dataSync() : labels);
}

/** Symmetric pair of multi-class NCEs: nce(a, b) + nce(b, a). */
function nce2(a: tf.Tensor2D, b: tf.Tensor2D, y: number[], temperature: number): tf.Scalar {
  return tf.add(multiClassNce(a, b, y, { temperature }), multiClassNce(b, a, y, { temperature }));
}

/**
 * The CCL objective for one teacher (Chen et al., "Distilling Audio-Visual Knowledge by Compositional
 * Contrastive Learning", CVPR 2021; METHOD §4), in the authors' code's form by default:
 *
 *     x_tv, o_tv = comp(x_t, x_v)
 *     vm = nce(x_v, x_tv) + nce(x_tv, x_v);  vt = nce(x_v, x_t) + nce(x_t, x_v);  mt = nce(x_tv, x_t) + nce(x_t, x_tv)
 *     jsd = w * JSD(o_v, o_tv)
 *     L_student = CE(o_v, y) + vm + vt + jsd
 *     L_comp    = CE(o_tv, y) + vm + mt + jsd          (on stop-gradient copies of x_v, o_v)
 *
 * Differentiate `student + composition` in one backward pass: the student's tensors receive dL_student,
 * the composition module dL_student + dL_comp, the teacher nothing.
 *
 * Paper form (`form: 'paper'`): L_student = CE(o_v) + lambda nce(x_v, x_t) + (1 - lambda) nce(x_v, x_tv)
 * + w JSD(o_v, o_tv), where the composition's parameters are constants; L_comp = CE(o_tv) only.
 */
export function cclObjectives(inputs: CclInputs): CclObjectives {
  const { studentFeatures: xv, studentLogits: ov, teacherFeatures: xt, head, temperature } = inputs;
  const batch = xv.shape[0];
  if (ov.shape[0] !== batch || xt.shape[0] !== batch) {
    throw new Error(`cclObjectives: batch sizes differ (student features ${batch}, logits ${ov.shape[0]}, teacher ${xt.shape[0]})`);
  }
  const w = inputs.jsdWeight ?? 0.5;
  const y = labelArray(inputs.labels);
  if (y.length !== batch) throw new Error(`cclObjectives: ${y.length} labels for a batch of ${batch}`);
  const rows = inputs.dropMissing ? presentRows(xt, inputs.teacherMask) : Array.from({ length: batch }, (_, i) => i);
  const form = inputs.form ?? 'reference';

  const compute = (): CclObjectives => {
    const clsV = crossEntropy(ov, y);
    const zero = () => tf.scalar(0);
    if (rows.length === 0) {
      const terms: CclTerms = { cls_v: clsV, cls_t: zero(), vm: zero(), vt: zero(), mt: zero(), jsd: zero(), total_student: tf.clone(clsV), total_composition: zero() };
      return { student: terms.total_student, composition: terms.total_composition, terms, teacherRows: 0 };
    }
    const all = rows.length === batch;
    const pick = (t: tf.Tensor2D) => (all ? t : selectRows(t, rows)); // [R, D]
    const yt = rows.map((i) => y[i]);
    const xvT = pick(xv); // [R, Ds]
    const ovT = pick(ov); // [R, K]
    const xtT = pick(xt); // [R, Dt]

    if (form === 'paper') {
      const lambda = inputs.lambda ?? 0.5;
      const frozen = head.apply(xtT, xvT, { detachParams: true }); // student's view: head params constant
      const own = head.apply(xtT, detach(xvT) as tf.Tensor2D); // composition's own CE
      const vt = multiClassNce(xvT, xtT, yt, { temperature });
      const vm = multiClassNce(xvT, frozen.feature, yt, { temperature });
      const mt = multiClassNce(own.feature, xtT, yt, { temperature });
      const jsd = jsdLoss(ovT, frozen.logits, { weight: w });
      const clsT = crossEntropy(own.logits, yt);
      const student = tf.addN([clsV, tf.mul(lambda, vt), tf.mul(1 - lambda, vm), jsd]) as tf.Scalar;
      const terms: CclTerms = { cls_v: clsV, cls_t: clsT, vm, vt, mt, jsd, total_student: student, total_composition: tf.clone(clsT) };
      return { student, composition: terms.total_composition, terms, teacherRows: rows.length };
    }

    // Reference form. The student's view: gradients reach x_v, o_v and the head.
    const { feature: xtv, logits: otv } = head.apply(xtT, xvT);
    const vm = nce2(xvT, xtv, yt, temperature);
    const vt = nce2(xvT, xtT, yt, temperature);
    const jsd = jsdLoss(ovT, otv, { weight: w });
    const student = tf.addN([clsV, vm, vt, jsd]) as tf.Scalar;
    // The composition's view: the same terms on stop-gradient copies of the student tensors.
    const xvD = detach(xvT) as tf.Tensor2D;
    const ovD = detach(ovT) as tf.Tensor2D;
    const comp = head.apply(xtT, xvD);
    const clsT = crossEntropy(comp.logits, yt);
    const vmD = nce2(xvD, comp.feature, yt, temperature);
    const mt = nce2(comp.feature, xtT, yt, temperature);
    const jsdD = jsdLoss(ovD, comp.logits, { weight: w });
    const composition = tf.addN([clsT, vmD, mt, jsdD]) as tf.Scalar;
    const terms: CclTerms = { cls_v: clsV, cls_t: clsT, vm, vt, mt, jsd, total_student: student, total_composition: composition };
    return { student, composition, terms, teacherRows: rows.length };
  };
  return tf.tidy(() => compute() as unknown as tf.TensorContainer) as unknown as CclObjectives;
}
