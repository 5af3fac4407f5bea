import * as tf from '@tensorflow/tfjs-core';
import { keysOf, l2NormalizeRows, Linear, loadStateDict, snapshotVariables, type StateDict } from '@ccl/base';
import { detach, resolveOptions, type CompositionApplyOptions, type Composition, type CompositionOptions, type CompositionOutput } from './head';
import { registerComposition } from './registry';

/** @deprecated @ccl/base's l2NormalizeRows, which this is (torch's F.normalize(x, dim=1, eps=1e-12)); kept for the public API. */
export const normalizeRows = l2NormalizeRows;

/**
 * The composition module of CCL (Chen et al., CVPR 2021, §3.2; METHOD §2), as in the authors' code:
 *
 *     r     = W_mlp [x_t/||x_t|| ; x_v/||x_v||] + b_mlp      Linear(Dt + Ds -> Dt), no activation
 *     x_tv  = x_t + r                                        residual on the RAW teacher feature
 *     logit = W_fc x_tv + b_fc                               Linear(Dt -> K)
 *
 * State-dict names and layouts as torch: `mlp.weight` [Dt, Dt + Ds], `mlp.bias`, `fc.weight` [K, Dt], `fc.bias`.
 */
export class ResidualComposition implements Composition {
  readonly kind: string = 'residual';
  readonly options: Required<CompositionOptions>;
  protected readonly mlp: Linear;
  protected readonly fc: Linear;

  constructor(options: CompositionOptions) {
    this.options = resolveOptions(options);
    const { teacherDim, studentDim, numClasses, seed } = this.options;
    this.mlp = new Linear('mlp', teacherDim + studentDim, teacherDim, { seed });
    this.fc = new Linear('fc', teacherDim, numClasses, { seed: seed + 2 });
  }

  protected params(): Record<string, tf.Variable> {
    return { 'mlp.weight': this.mlp.weight, 'mlp.bias': this.mlp.bias, 'fc.weight': this.fc.weight, 'fc.bias': this.fc.bias };
  }

  /** [x_t/||x_t|| ; x_v/||x_v||] [B, Dt + Ds] (the raw features when `normalize` is off): what the MLP reads. */
  protected joint(fTeacher: tf.Tensor2D, fStudent: tf.Tensor2D): tf.Tensor2D {
    const t = this.options.normalize ? l2NormalizeRows(fTeacher) : fTeacher;
    const s = this.options.normalize ? l2NormalizeRows(fStudent) : fStudent;
    return tf.concat([t, s], 1);
  }

  /** r [B, Dt] from the joint input [B, Dt + Ds]. */
  protected residual(joint: tf.Tensor2D, p: (v: tf.Variable) => tf.Tensor): tf.Tensor2D {
    return this.mlp.apply(joint, { weight: p(this.mlp.weight), bias: p(this.mlp.bias) });
  }

  apply(fTeacher: tf.Tensor2D, fStudent: tf.Tensor2D, options: CompositionApplyOptions = {}): CompositionOutput {
    this.checkInputs(fTeacher, fStudent);
    const p = options.detachParams ? (v: tf.Variable) => detach(v) : (v: tf.Variable) => v;
    return tf.tidy(() => {
      const feature = tf.add(fTeacher, this.residual(this.joint(fTeacher, fStudent), p)) as tf.Tensor2D; // [B, Dt]
      const logits = this.fc.apply(feature, { weight: p(this.fc.weight), bias: p(this.fc.bias) }); // [B, K]
      return { feature, logits };
    });
  }

  protected checkInputs(fTeacher: tf.Tensor2D, fStudent: tf.Tensor2D): void {
    const { teacherDim, studentDim } = this.options;
    if (fTeacher.rank !== 2 || fTeacher.shape[1] !== teacherDim)
      throw new Error(`${this.kind} composition: teacher features must be [B, ${teacherDim}], got [${fTeacher.shape}]`);
    if (fStudent.rank !== 2 || fStudent.shape[1] !== studentDim)
      throw new Error(`${this.kind} composition: student features must be [B, ${studentDim}], got [${fStudent.shape}]`);
    if (fTeacher.shape[0] !== fStudent.shape[0]) throw new Error(`${this.kind} composition: batch sizes differ (${fTeacher.shape[0]} vs ${fStudent.shape[0]})`);
  }

  get trainableVariables(): tf.Variable[] {
    return Object.values(this.params());
  }

  stateDict(): StateDict {
    return snapshotVariables(this.params());
  }

  loadStateDict(dict: StateDict, options: { strict?: boolean } = {}): void {
    loadStateDict(`${this.kind} composition`, this.params(), dict, { strict: options.strict ?? true, ignore: (key) => key.endsWith('num_batches_tracked') });
  }

  dispose(): void {
    for (const v of this.trainableVariables) v.dispose();
  }
}

/**
 * Ablation variant (not in the paper): a learned gate on the residual,
 *
 *     g    = sigmoid(W_gate [x_t/||x_t|| ; x_v/||x_v||] + b_gate)      Linear(Dt + Ds -> Dt)
 *     x_tv = x_t + g ⊙ r
 *
 * Extra state-dict entries `gate.weight`, `gate.bias`. With the gate bias large the variant tends to
 * `residual`; with it very negative, to the raw teacher feature.
 */
export class GatedComposition extends ResidualComposition {
  override readonly kind: string = 'gated';
  private readonly gate: Linear;

  constructor(options: CompositionOptions) {
    super(options);
    const { teacherDim, studentDim, seed } = this.options;
    this.gate = new Linear('gate', teacherDim + studentDim, teacherDim, { seed: seed + 4 });
  }

  protected override params(): Record<string, tf.Variable> {
    return { ...super.params(), 'gate.weight': this.gate.weight, 'gate.bias': this.gate.bias };
  }

  /** g ⊙ r [B, Dt]: the gate reads the same joint input as the MLP (normalised once). */
  protected override residual(joint: tf.Tensor2D, p: (v: tf.Variable) => tf.Tensor): tf.Tensor2D {
    const g = tf.sigmoid(this.gate.apply(joint, { weight: p(this.gate.weight), bias: p(this.gate.bias) })); // [B, Dt]
    return tf.mul(g, super.residual(joint, p)) as tf.Tensor2D;
  }
}

/** The keys of CompositionOptions, the compiler checking that the list is complete and exact. */
const OPTION_KEYS = keysOf<CompositionOptions>({ teacherDim: true, studentDim: true, numClasses: true, normalize: true, seed: true });

registerComposition('residual', (o) => new ResidualComposition(o), { optionKeys: OPTION_KEYS });
registerComposition('gated', (o) => new GatedComposition(o), { optionKeys: OPTION_KEYS });
