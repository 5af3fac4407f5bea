import * as tf from '@tensorflow/tfjs-core';
import { expectPositiveInt, fail } from './common';
import { mixSeed, mulberry32, uniformArray, type Rng } from '@ccl/base';

const FILE = 'kd/memory-bank.ts';

export interface ContrastMemoryOptions {
  /** Number of rows N: one per training item, addressed by dataset index. */
  size: number;
  /** Embedding size E. */
  dim: number;
  /** Momentum m of the update row <- normalise(m row + (1 - m) embedding) (default 0.5). */
  momentum?: number;
  /** Seed of the initialisation and of negative sampling (default 0). */
  seed?: number;
  /** Class of every item [N]: when given, negatives are drawn from other classes (CRD's "exact" mode). */
  labels?: ArrayLike<number>;
  /** Variable name prefix: the banks are `<name>/student_bank` and `<name>/teacher_bank`. */
  name?: string;
}

/**
 * Two memory banks of embeddings for cross-view contrast (Wu et al. 2018; Tian et al. CMC 2019, CRD 2020):
 * `student` [N, E] and `teacher` [N, E], non-trainable tf.Variables initialised U(-a, a), a = 1/sqrt(E/3)
 * (the CRD/CMC code), from a seeded plain-JS generator. Rows are addressed by dataset index; the banks change
 * only through `update`.
 *
 * Negatives for a step are a pure function of (seed, step, indices): `contrastIndices` returns the same
 * table until `advance()` is called, so a step's loss can be evaluated (or differentiated) several times.
 * The step counter is a non-trainable variable too (`stepCounter`, in `variables`), so a checkpoint of the
 * variables restores the next step's negatives.
 */
export class ContrastMemory {
  readonly size: number;
  readonly dim: number;
  readonly momentum: number;
  readonly seed: number;
  readonly student: tf.Variable<tf.Rank.R2>; // [N, E]
  readonly teacher: tf.Variable<tf.Rank.R2>; // [N, E]
  /** Completed steps (`advance` calls) [] int32: decides the negatives drawn. */
  readonly stepCounter: tf.Variable<tf.Rank.R0>;
  private readonly itemLabels: Int32Array | null;

  constructor(options: ContrastMemoryOptions) {
    this.size = expectPositiveInt(FILE, 'bank size', options.size);
    this.dim = expectPositiveInt(FILE, 'embedding size', options.dim);
    this.momentum = options.momentum ?? 0.5;
    if (!(this.momentum >= 0 && this.momentum < 1)) fail(FILE, `momentum must be in [0, 1), got ${this.momentum}`);
    this.seed = options.seed ?? 0;
    if (this.size < 2) fail(FILE, `a memory bank needs at least 2 rows to have negatives, got ${this.size}`);
    if (options.labels !== undefined) {
      if (options.labels.length !== this.size) fail(FILE, `labels has ${options.labels.length} entries, the bank has ${this.size} rows`);
      this.itemLabels = Int32Array.from(options.labels);
      if (new Set(this.itemLabels).size < 2) fail(FILE, 'labels hold a single class: there is no other-class negative');
    } else {
      this.itemLabels = null;
    }
    const rng = mulberry32(this.seed);
    const a = 1 / Math.sqrt(this.dim / 3);
    this.student = tf.tidy(() =>
      tf.variable(tf.tensor2d(uniformArray(rng, this.size * this.dim, -a, a), [this.size, this.dim]), false, options.name && `${options.name}/student_bank`),
    );
    this.teacher = tf.tidy(() =>
      tf.variable(tf.tensor2d(uniformArray(rng, this.size * this.dim, -a, a), [this.size, this.dim]), false, options.name && `${options.name}/teacher_bank`),
    );
    this.stepCounter = tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false, options.name && `${options.name}/step`));
  }

  /** Number of completed steps (`advance` calls). */
  get step(): number {
    return this.stepCounter.dataSync()[0];
  }

  /**
   * Contrast table [B * (K + 1)], row-major [B, K + 1]: column 0 is the item itself (the positive), columns
   * 1..K are negatives drawn uniformly with replacement among the other items (other-class items when the
   * bank has labels).
   */
  contrastIndices(indices: Int32Array, numNegatives: number): Int32Array {
    const k = numNegatives;
    const rng = mulberry32(mixSeed(this.seed, this.step));
    const out = new Int32Array(indices.length * (k + 1));
    for (let i = 0; i < indices.length; i++) {
      const own = indices[i];
      out[i * (k + 1)] = own;
      for (let j = 1; j <= k; j++) out[i * (k + 1) + j] = this.drawNegative(own, rng);
    }
    return out;
  }

  private drawNegative(own: number, rng: Rng): number {
    const labels = this.itemLabels;
    for (let tries = 0; tries < 10000; tries++) {
      const c = rng.int(0, this.size - 1);
      if (c !== own && (labels === null || labels[c] !== labels[own])) return c;
    }
    return fail(FILE, `could not draw a negative for item ${own} in 10000 tries (its class fills the bank?)`);
  }

  /** bank[contrast] . embedding: [B, K + 1] scores of each embedding [B, E] against its contrast rows. */
  scores(bank: tf.Variable<tf.Rank.R2>, contrast: Int32Array, embedding: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const b = embedding.shape[0];
      const rows = tf.reshape(tf.gather(bank, tf.tensor1d(contrast, 'int32')), [b, -1, this.dim]); // [B, K+1, E]
      return tf.sum(tf.mul(rows, tf.expandDims(embedding, 1)), 2) as tf.Tensor2D; // [B, K+1]
    });
  }

  /**
   * Momentum update of both banks at `indices` (outside any gradient), then advances the step:
   *     row <- normalise(m row + (1 - m) embedding)
   * When an index repeats in the batch, its last occurrence wins.
   */
  update(indices: Int32Array, studentEmbedding: tf.Tensor2D, teacherEmbedding: tf.Tensor2D): void {
    const last = new Map<number, number>();
    indices.forEach((idx, i) => last.set(idx, i));
    const rows = Int32Array.from(last.keys());
    const picks = Int32Array.from(last.values());
    tf.tidy(() => {
      const at = tf.tensor2d(rows, [rows.length, 1], 'int32');
      const pick = tf.tensor1d(picks, 'int32');
      for (const [bank, emb] of [
        [this.student, studentEmbedding],
        [this.teacher, teacherEmbedding],
      ] as const) {
        const old = tf.gather(bank, tf.reshape(at, [-1])); // [U, E]
        const mixed = tf.add(tf.mul(old, this.momentum), tf.mul(tf.gather(emb, pick), 1 - this.momentum));
        const unit = tf.div(mixed, tf.maximum(tf.norm(mixed, 'euclidean', 1, true), 1e-12));
        bank.assign(tf.tensorScatterUpdate(bank, at, unit));
      }
    });
    this.advance();
  }

  /** Moves to the next step (new negatives). `update` calls it. */
  advance(): void {
    this.setStep(this.step + 1);
  }

  /** Sets the step counter (resuming from a checkpoint). */
  setStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) fail(FILE, `step must be a non-negative integer, got ${step}`);
    tf.tidy(() => this.stepCounter.assign(tf.scalar(step, 'int32')));
  }

  /** Every piece of state: both banks and the step counter (non-trainable; checkpoints save them). */
  get variables(): tf.Variable[] {
    return [this.student, this.teacher, this.stepCounter];
  }

  dispose(): void {
    for (const v of this.variables) if (!v.isDisposed) v.dispose();
  }
}
