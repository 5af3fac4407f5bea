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
  /** The teacher's composition module (absent, and unused, when `switches.composition` is false). */
  head?: Composition;
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
  /** Which terms to train (ablations); absent: every term (the reference). See `resolveCclTermSwitches`. */
  switches?: CclTermSwitches;
}

/**
 * Switches of CCL's terms (ablations; each defaults to true, the reference). `vm`, `vt`, `jsd` remove that
 * term wherever it appears (the student's loss and the composition's copy on stop-gradient tensors);
 * `composition: false` removes the composition module altogether, and with it every term that needs it
 * (vm, mt, jsd, cls_t): it implies `vm: false` and `jsd: false`, and refuses either given as true.
 */
export interface CclTermSwitches {
  /** vm = nce(x_v, x_tv) + nce(x_tv, x_v). */
  vm?: boolean;
  /** vt = nce(x_v, x_t) + nce(x_t, x_v). */
  vt?: boolean;
  /** jsd = w * JSD(o_v, o_tv). */
  jsd?: boolean;
  /** The composition module (x_tv, o_tv), its own terms (cls_t, mt) and everything built on it. */
  composition?: boolean;
}

/** Fills in the defaults of the switches; refuses `composition: false` with `vm: true` or `jsd: true`. */
export function resolveCclTermSwitches(switches: CclTermSwitches = {}): Required<CclTermSwitches> {
  const composition = switches.composition ?? true;
  if (!composition) {
    const needHead = (['vm', 'jsd'] as const).filter((k) => switches[k] === true);
    if (needHead.length) {
      const plural = needHead.length > 1;
      throw new Error(
        `composition: false removes the composition module, which ${needHead.join(' and ')} compare${plural ? '' : 's'} with; set ${needHead.map((k) => `${k}: false`).join(' and ')} or leave ${plural ? 'them' : 'it'} out (composition: false implies vm: false and jsd: false)`,
      );
    }
  }
  return { composition, vm: composition && (switches.vm ?? true), vt: switches.vt ?? true, jsd: composition && (switches.jsd ?? true) };
}

/** Every term of METHOD §4 (scalars; the caller owns them); a term switched off is absent. */
export interface CclTerms {
  /** CE(o_v, y) on the whole batch. */
  cls_v: tf.Scalar;
  /** CE(o_tv, y) of the composition's classifier (absent without composition). */
  cls_t?: tf.Scalar;
  /** nce(x_v, x_tv) + nce(x_tv, x_v) (absent with vm off). */
  vm?: tf.Scalar;
  /** nce(x_v, x_t) + nce(x_t, x_v) (absent with vt off). */
  vt?: tf.Scalar;
  /** nce(x_tv, x_t) + nce(x_t, x_tv) (absent without composition). */
  mt?: tf.Scalar;
  /** jsd(o_v, o_tv) with weight w (absent with jsd off). */
  jsd?: tf.Scalar;
  total_student: tf.Scalar;
  /** Absent without composition. */
  total_composition?: tf.Scalar;
}

export interface CclObjectives {
  /** Loss whose gradient the student receives. */
  student: tf.Scalar;
  /**
   * Loss computed on stop-gradient copies of the student tensors: the composition module is updated with
   * the gradient of `student + composition`, the student with that of `student` only (reference routing).
   * Absent without a composition module (`switches.composition: false`).
   */
  composition?: tf.Scalar;
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

/** Sum of the terms that are on, in the order given; a new tensor even for a single term (the caller owns each). */
function sumOn(parts: (tf.Scalar | undefined)[]): tf.Scalar {
  const on = parts.filter((p): p is tf.Scalar => p !== undefined);
  return on.length === 1 ? tf.clone(on[0]) : (tf.addN(on) as tf.Scalar);
}

/** The terms that are on (the switched-off ones are left out rather than zero, so logs say what was trained). */
function termsOn(terms: Record<keyof CclTerms, tf.Scalar | undefined>): CclTerms {
  return Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== undefined)) as unknown as CclTerms;
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
 *
 * Ablations (`switches`, all on by default): a switched-off term is not computed and drops out of every sum
 * above (both forms); `composition: false` (which implies vm and jsd off) leaves L_student = CE(o_v) + vt
 * (reference) or CE(o_v) + lambda nce(x_v, x_t) (paper), no L_comp (`composition` absent) and needs no head.
 */
export function cclObjectives(inputs: CclInputs): CclObjectives {
  const { studentFeatures: xv, studentLogits: ov, teacherFeatures: xt, temperature } = inputs;
  const batch = xv.shape[0];
  if (ov.shape[0] !== batch || xt.shape[0] !== batch) {
    throw new Error(`cclObjectives: batch sizes differ (student features ${batch}, logits ${ov.shape[0]}, teacher ${xt.shape[0]})`);
  }
  const w = inputs.jsdWeight ?? 0.5;
  const y = labelArray(inputs.labels);
  if (y.length !== batch) throw new Error(`cclObjectives: ${y.length} labels for a batch of ${batch}`);
  const rows = inputs.dropMissing ? presentRows(xt, inputs.teacherMask) : Array.from({ length: batch }, (_, i) => i);
  const form = inputs.form ?? 'reference';
  const on = resolveCclTermSwitches(inputs.switches);
  const head = on.composition ? inputs.head : undefined;
  if (on.composition && !head) throw new Error('cclObjectives: no composition head given (pass `head`, or switch the composition off)');

  const compute = (): CclObjectives => {
    const clsV = crossEntropy(ov, y);
    const zero = (when: boolean) => (when ? tf.scalar(0) : undefined);
    if (rows.length === 0) {
      const terms = termsOn({
        cls_v: clsV,
        cls_t: zero(on.composition),
        vm: zero(on.vm),
        vt: zero(on.vt),
        mt: zero(on.composition),
        jsd: zero(on.jsd),
        total_student: tf.clone(clsV),
        total_composition: zero(on.composition),
      });
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
      // student's view, head params constant: x_tv [R, Ds], o_tv [R, K]
      const frozen = head && (on.vm || on.jsd) ? head.apply(xtT, xvT, { detachParams: true }) : undefined;
      const own = head?.apply(xtT, detach(xvT) as tf.Tensor2D); // composition's own CE
      const vt = on.vt ? multiClassNce(xvT, xtT, yt, { temperature }) : undefined;
      const vm = frozen && on.vm ? multiClassNce(xvT, frozen.feature, yt, { temperature }) : undefined;
      const mt = own && multiClassNce(own.feature, xtT, yt, { temperature });
      const jsd = frozen && on.jsd ? jsdLoss(ovT, frozen.logits, { weight: w }) : undefined;
      const clsT = own && crossEntropy(own.logits, yt);
      const student = sumOn([clsV, vt && (tf.mul(lambda, vt) as tf.Scalar), vm && (tf.mul(1 - lambda, vm) as tf.Scalar), jsd]);
      const terms = termsOn({ cls_v: clsV, cls_t: clsT, vm, vt, mt, jsd, total_student: student, total_composition: clsT && tf.clone(clsT) });
      return { student, composition: terms.total_composition, terms, teacherRows: rows.length };
    }

    // Reference form. The student's view: gradients reach x_v, o_v and the head (x_tv [R, Ds], o_tv [R, K]).
    const view = head && (on.vm || on.jsd) ? head.apply(xtT, xvT) : undefined;
    const vm = view && on.vm ? nce2(xvT, view.feature, yt, temperature) : undefined;
    const vt = on.vt ? nce2(xvT, xtT, yt, temperature) : undefined;
    const jsd = view && on.jsd ? jsdLoss(ovT, view.logits, { weight: w }) : undefined;
    const student = sumOn([clsV, vm, vt, jsd]);
    if (!head) {
      const terms = termsOn({ cls_v: clsV, cls_t: undefined, vm, vt, mt: undefined, jsd, total_student: student, total_composition: undefined });
      return { student, terms, teacherRows: rows.length };
    }
    // The composition's view: the same terms on stop-gradient copies of the student tensors.
    const xvD = detach(xvT) as tf.Tensor2D; // [R, Ds]
    const ovD = detach(ovT) as tf.Tensor2D; // [R, K]
    const comp = head.apply(xtT, xvD);
    const clsT = crossEntropy(comp.logits, yt);
    const vmD = on.vm ? nce2(xvD, comp.feature, yt, temperature) : undefined;
    const mt = nce2(comp.feature, xtT, yt, temperature);
    const jsdD = on.jsd ? jsdLoss(ovD, comp.logits, { weight: w }) : undefined;
    const composition = sumOn([clsT, vmD, mt, jsdD]);
    const terms = termsOn({ cls_v: clsV, cls_t: clsT, vm, vt, mt, jsd, total_student: student, total_composition: composition });
    return { student, composition, terms, teacherRows: rows.length };
  };
  return tf.tidy(() => compute() as unknown as tf.TensorContainer) as unknown as CclObjectives;
}
