import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import type { LossInputs } from '../loss';
import { expectPositive, expectPositiveInt, fail, featurePair, instanceScope, intArray, type KdCommonOptions } from './common';
import { EmbedHead } from './embed-head';
import { ContrastMemory } from './memory-bank';
import { mulberry32 } from '@ccl/base';

/** Options shared by the memory-bank contrastive losses (CRD, CMC). */
export interface ContrastOptions extends KdCommonOptions {
  studentDim: number;
  teacherDim: number;
  /** Rows of each memory bank: the number of training items (inputs.indices address them). */
  bankSize: number;
  /** Embedding size of the projection heads (default 128). */
  embedDim?: number;
  /** Negatives K drawn per anchor and step. */
  numNegatives?: number;
  /** Temperature (default 0.07). */
  temperature?: number;
  /** Memory momentum (default 0.5). */
  momentum?: number;
  /** Seed of heads, banks and negative sampling (default 0). */
  seed?: number;
  /** Class of every training item [bankSize]: negatives then come from other classes. */
  bankLabels?: ArrayLike<number>;
}

/** Heads + memory + checked inputs: the state CRD and CMC share. */
export class ContrastState {
  readonly studentHead: EmbedHead;
  readonly teacherHead: EmbedHead;
  readonly memory: ContrastMemory;
  readonly numNegatives: number;
  readonly temperature: number;
  /** Name prefix of this instance's variables (`ccl_losses/<loss>_<n>`). */
  readonly scope: string;

  constructor(
    readonly file: string,
    lossName: string,
    readonly options: ContrastOptions,
    defaultNegatives: number,
  ) {
    if (!options || typeof options !== 'object') fail(file, 'options { studentDim, teacherDim, bankSize } are required');
    const embedDim = expectPositiveInt(file, 'embedDim', options.embedDim ?? 128);
    this.numNegatives = expectPositiveInt(file, 'numNegatives', options.numNegatives ?? defaultNegatives);
    this.temperature = expectPositive(file, 'temperature', options.temperature ?? 0.07);
    const rng = mulberry32(options.seed ?? 0);
    const scope = instanceScope(lossName);
    this.scope = scope;
    this.studentHead = new EmbedHead(expectPositiveInt(file, 'studentDim', options.studentDim), embedDim, rng, file, `${scope}/student_head`);
    this.teacherHead = new EmbedHead(expectPositiveInt(file, 'teacherDim', options.teacherDim), embedDim, rng, file, `${scope}/teacher_head`);
    this.memory = new ContrastMemory({
      size: options.bankSize,
      dim: embedDim,
      momentum: options.momentum,
      seed: options.seed ?? 0,
      labels: options.bankLabels,
      name: scope,
    });
  }

  /** Checked features and dataset indices. */
  read(inputs: LossInputs): { student: tf.Tensor2D; teacher: tf.Tensor2D; indices: Int32Array } {
    const { student, teacher, batch } = featurePair(this.file, inputs, this.options);
    if (student.shape[1] !== this.options.studentDim) fail(this.file, `student has ${student.shape[1]} features, expected ${this.options.studentDim}`);
    if (teacher.shape[1] !== this.options.teacherDim) fail(this.file, `teacher has ${teacher.shape[1]} features, expected ${this.options.teacherDim}`);
    const indices = intArray(this.file, 'indices', inputs.indices, batch, this.memory.size);
    return { student, teacher, indices };
  }

  /**
   * Scores [B, K + 1] / T of the student embedding against the teacher bank (`student`) and of the teacher
   * embedding against the student bank (`teacher`); column 0 is the positive.
   */
  scores(inputs: LossInputs): { student: tf.Tensor2D; teacher: tf.Tensor2D } {
    const { student, teacher, indices } = this.read(inputs);
    const contrast = this.memory.contrastIndices(indices, this.numNegatives);
    return tf.tidy(() => ({
      student: tf.div(this.memory.scores(this.memory.teacher, contrast, this.studentHead.apply(student)), this.temperature),
      teacher: tf.div(this.memory.scores(this.memory.student, contrast, this.teacherHead.apply(teacher)), this.temperature),
    }));
  }

  /** Memory update with the current heads' embeddings (no gradient), then the next step's negatives. */
  afterStep(inputs: LossInputs): void {
    const { student, teacher, indices } = this.read(inputs);
    tf.tidy(() => this.memory.update(indices, this.studentHead.apply(student), this.teacherHead.apply(teacher)));
  }

  get variables(): tf.Variable[] {
    return [...this.studentHead.variables, ...this.teacherHead.variables];
  }

  dispose(): void {
    for (const v of this.variables) if (!v.isDisposed) v.dispose();
    this.memory.dispose();
  }
}

/** The option keys of the contrastive losses (CRD, CMC). */
export const CONTRAST_OPTION_KEYS = keysOf<ContrastOptions>({
  studentDim: true,
  teacherDim: true,
  bankSize: true,
  embedDim: true,
  numNegatives: true,
  temperature: true,
  momentum: true,
  seed: true,
  bankLabels: true,
  checkFinite: true,
});
