import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { KINETICS_MEAN, KINETICS_STD } from '@ccl/data';
import { acquireFolderLock } from '@ccl/data/node';
import { loadCheckpoint, saveCheckpoint, groupByPrefix, withPrefix, type CheckpointMeta } from '../checkpoint/checkpoint';
import { isResolvedExperimentConfig, resolveExperimentConfig, type ExperimentConfig, type TeacherConfig } from '../config/experiment';
import '../methods/baseline';
import '../methods/ccl';
import '../methods/kd';
import type { Method, StepTensors } from '../methods/method';
import { createMethod } from '../methods/registry';
import { createSchedule, type LrSchedule } from '../optim/schedule';
import { clipGradNorm, Sgd } from '../optim/sgd';
import { keyedRng, permutation, toHost } from '@ccl/base';
import { writeFileAtomicSync } from '@ccl/base/node';
import { RNG_PURPOSE } from '../rng-purpose';
import { disposeBatch, loadBatch } from './batch';
import { JsonlLog, ProgressBar } from './progress';
import { prepareRunFolder, type RunFolderPlan } from './run-folder';
import type { TrainingBatch, SampleSource, TrainableEncoder } from './types';
import { variableGradsLean } from './lean-gradients';

export interface TrainerOptions {
  /**
   * Experiment config: one resolveExperimentConfig / readExperimentConfig returned is used as it is (validated
   * once, there); any other object is validated here (the same errors) and the reference defaults filled in.
   */
  config: ExperimentConfig | Record<string, unknown>;
  student: TrainableEncoder;
  numClasses: number;
  /** Size of the student's pooled feature x_v. */
  studentDim: number;
  train: SampleSource;
  /** Held-out validation split (or the test split with `validation.policy: 'test'`, the reference's choice). */
  validation?: SampleSource;
  /** Frozen image teachers run online on one frame of the clip, by teacher name. */
  onlineTeachers?: Record<string, TrainableEncoder>;
  /** Run folder: run.json, steps.jsonl, epochs.jsonl, checkpoints/. */
  outDir: string;
  /**
   * Continue the run in `outDir` from `checkpoints/latest.ckpt`; refused when there is none, or when the
   * config differs from the run's (unless `allowConfigChange`). Without `resume` or `force`, a folder that
   * already holds a run is refused, untouched (see run-folder.ts).
   */
  resume?: boolean;
  /** Start over in a folder that holds a run: its checkpoints, logs, evaluation and run.json are removed first. */
  force?: boolean;
  /** With `resume`: accept a changed config (the changed keys are told and recorded in run.json). */
  allowConfigChange?: boolean;
  /** Told about a stale lock taken over, stray temporary files removed, a replaced run; default: a line on stderr. */
  onNotice?: (message: string) => void;
  /** Model identity stored in checkpoints; by default derived from the student's parameter names and shapes. */
  architecture?: string;
  /** Where the progress bar goes (default stderr); `null` for none. */
  progress?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean } | null;
  /** Stops the run after the current step (its checkpoint-every-steps policy still applies). */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (info: StepInfo) => unknown; // a returned promise is awaited before the next step
  /** Recorded in run.json (backend report, versions, command line). */
  runInfo?: Record<string, unknown>;
  /**
   * How gradients are computed: 'lean' (default) releases each node's saved tensors and gradients as soon
   * as the backward pass is past it (variableGradsLean, about half the peak memory); 'tfjs' is
   * tf.variableGrads. Both give the same numbers.
   */
  gradients?: 'lean' | 'tfjs';
}

export interface StepInfo {
  epoch: number;
  step: number;
  globalStep: number;
  lr: number;
  terms: Record<string, number>;
  numTensors: number;
}

/** What one `Trainer.step` did. */
export interface StepOutcome {
  /** The total loss. */
  loss: number;
  /** The method's loss terms by name (`cls_v`, `audio.vm`, ...). */
  terms: Record<string, number>;
  /** False when the loss was not finite and `nanGuard: 'skip'` left the weights as they were. */
  applied: boolean;
  /** Rows of the batch without a teacher's features, as `missing.<teacher>`. */
  missing: Record<string, number>;
}

/** The counters and step log one `fit` carries across epochs. */
interface RunProgress {
  globalStep: number;
  bestMetric: number | null;
  skipped: number;
  steps: JsonlLog;
}

export interface TrainResult {
  epochsDone: number;
  globalStep: number;
  bestMetric: number | null;
  lastValidation: number | null;
  skippedSteps: number;
  stopped: boolean;
}

/**
 * A teacher's view of frames taken from the normalised clip: optional bilinear resize, optional
 * re-normalisation x' = (x * inputStd + inputMean - mean) / std (inputStd and inputMean default to
 * @ccl/data's KINETICS_STD and KINETICS_MEAN, the statistics the clips were normalised with, METHOD §6).
 *
 * @param frames [B, H, W, C]
 */
export function teacherFrames(frames: tf.Tensor4D, t: TeacherConfig['frameTransform']): tf.Tensor4D {
  if (!t) return frames;
  return tf.tidy(() => {
    let x = frames;
    if (t.mean || t.std) {
      const c = frames.shape[3];
      const vec = (v: number[] | undefined, fallback: readonly number[], what: string) => {
        const out = v ?? fallback;
        if (out.length !== c) throw new Error(`frameTransform.${what} has ${out.length} values for ${c} channels`);
        return tf.tensor1d([...out]);
      };
      const raw = tf.add(tf.mul(x, vec(t.inputStd, KINETICS_STD, 'inputStd')), vec(t.inputMean, KINETICS_MEAN, 'inputMean'));
      x = tf.div(tf.sub(raw, vec(t.mean, new Array(c).fill(0), 'mean')), vec(t.std, new Array(c).fill(1), 'std')) as tf.Tensor4D;
    }
    if (t.size && (t.size !== x.shape[1] || t.size !== x.shape[2])) x = tf.image.resizeBilinear(x, [t.size, t.size]);
    return x;
  });
}

/** Student parameter names and shapes, hashed into a readable identity. */
export function architectureOf(encoderName: string, student: TrainableEncoder): string {
  const sd = student.stateDict();
  const sig = Object.entries(sd)
    .map(([k, v]) => `${k}:${v.shape.join('x')}`)
    .sort()
    .join(',');
  tf.dispose(Object.values(sd));
  let h = 2166136261;
  for (let i = 0; i < sig.length; i++) h = Math.imul(h ^ sig.charCodeAt(i), 16777619) >>> 0;
  return `${encoderName} (${Object.keys(sd).length} tensors, signature ${h.toString(16)})`;
}

/** The checkout's commit (git rev-parse HEAD in the working folder), or null outside a git checkout. */
export function gitRevision(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The training loop of every method (baseline, CCL, KD baselines) with the reference semantics: one SGD
 * per module, the schedule on the student's optimiser only, BN in train mode, online teachers in eval mode
 * and never updated, checkpoints written atomically, resume equal to an uninterrupted run (all randomness
 * is a function of seed, epoch and step).
 */
export class Trainer {
  readonly config: ExperimentConfig;
  readonly method: Method;
  private readonly optimizers: Record<string, Sgd> = {};
  private readonly schedule: LrSchedule;
  private readonly architecture: string;
  private readonly teacherDims: Record<string, number>;
  private readonly ckptDir: string;
  private order: { epoch: number; order: number[] } | null = null;

  constructor(private readonly o: TrainerOptions) {
    this.config = isResolvedExperimentConfig(o.config) ? o.config : resolveExperimentConfig(o.config);
    this.method = createMethod(this.config.method, { config: this.config, numClasses: o.numClasses, studentDim: o.studentDim, datasetSize: o.train.length });
    this.optimizers.student = new Sgd(o.student.trainableVariables, this.config.optimizer);
    for (const [name, vars] of Object.entries(this.method.modules)) this.optimizers[name] = new Sgd(vars, this.config.optimizer);
    this.schedule = createSchedule(this.config.schedule);
    this.architecture = o.architecture ?? architectureOf(this.config.student.encoder, o.student);
    this.teacherDims = Object.fromEntries(this.config.teachers.filter((t) => t.input === 'features').map((t) => [t.name, t.dim]));
    for (const t of this.config.teachers) {
      if (t.input === 'online-frame' && !o.onlineTeachers?.[t.name]) throw new Error(`teacher '${t.name}' runs online but no encoder was given for it`);
    }
    this.ckptDir = path.join(o.outDir, 'checkpoints');
    if (this.config.validation.policy !== 'none' && !o.validation) {
      throw new Error(`validation policy '${this.config.validation.policy}' needs a validation source (or set validation.policy to 'none')`);
    }
  }

  private allVariables(): tf.Variable[] {
    return Object.values(this.optimizers).flatMap((opt) => [...opt.variables]);
  }

  /** Optimisation steps per epoch: ceil(n / batchSize), less a last batch of a single clip (BatchNorm needs two). */
  stepsPerEpoch(): number {
    const n = this.o.train.length;
    const b = this.config.batchSize;
    return n % b === 1 ? Math.floor(n / b) : Math.ceil(n / b);
  }

  private stateTensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = { ...withPrefix('student', this.o.student.stateDict()), ...withPrefix('method', this.method.stateDict()) };
    for (const [name, opt] of Object.entries(this.optimizers)) Object.assign(out, withPrefix(`optim.${name}`, opt.stateDict()));
    return out;
  }

  private async save(file: string, meta: Omit<CheckpointMeta, 'format' | 'architecture' | 'config'>): Promise<void> {
    const tensors = this.stateTensors();
    try {
      await toHost(Object.values(tensors)); // the checkpoint writer reads synchronously
      saveCheckpoint(file, tensors, { format: 'ccl-checkpoint/1', architecture: this.architecture, config: this.config, ...meta });
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** Restores everything from a checkpoint written by a run of the same model; an error names the file. */
  restore(file: string): CheckpointMeta {
    const { meta, tensors } = loadCheckpoint(file, { architecture: this.architecture });
    try {
      this.o.student.loadStateDict(groupByPrefix(tensors, 'student'), { strict: true });
      this.method.loadStateDict(groupByPrefix(tensors, 'method'));
      for (const [name, opt] of Object.entries(this.optimizers)) opt.loadStateDict(groupByPrefix(tensors, `optim.${name}`));
    } catch (err) {
      throw new Error(`${file}: cannot restore this run from the checkpoint: ${(err as Error).message}`, { cause: err });
    } finally {
      tf.dispose(Object.values(tensors));
    }
    return meta;
  }

  /** Online teacher features for a batch: one random frame per batch (reference) or per sample. */
  private onlineTeacherFeatures(batch: TrainingBatch, epoch: number, step: number): void {
    const [B, T] = batch.video.shape;
    this.config.teachers.forEach((t, ti) => {
      if (t.input !== 'online-frame') return;
      const enc = this.o.onlineTeachers![t.name];
      const rng = keyedRng(this.config.seed, RNG_PURPOSE.frame, epoch, step, ti);
      const frames = t.framePolicy === 'per-sample' ? Array.from({ length: B }, () => rng.int(0, T - 1)) : Array(B).fill(rng.int(0, T - 1));
      const features = tf.tidy(() => {
        const picked = tf.stack(frames.map((f, b) => tf.squeeze(tf.slice(batch.video, [b, f, 0, 0, 0], [1, 1, -1, -1, -1]), [0, 1]))) as tf.Tensor4D; // [B, H, W, C]
        const out = enc.apply(teacherFrames(picked, t.frameTransform), { training: false }).features;
        if (out.shape[1] !== t.dim) throw new Error(`online teacher '${t.name}' gives ${out.shape[1]}-d features, config says ${t.dim}`);
        return out;
      });
      batch.teachers[t.name] = { features, mask: new Uint8Array(B).fill(1) };
    });
  }

  /** Clip accuracy on the validation source: `clips` evenly spaced clips per video, student in eval mode. */
  async validate(source: SampleSource): Promise<number> {
    this.o.student.eval();
    const clips = this.config.validation.clips;
    let correct = 0;
    let total = 0;
    const items: Array<[number, number]> = [];
    for (let i = 0; i < source.length; i++) for (let c = 0; c < clips; c++) items.push([i, c]);
    for (let at = 0; at < items.length; at += this.config.batchSize) {
      const chunk = items.slice(at, at + this.config.batchSize);
      const batch = await loadBatch(
        source,
        chunk.map(([i]) => i),
        (_i, p) => ({ kind: 'eval', clip: chunk[p][1], clips }),
        {},
      );
      const predicted = tf.tidy(() => tf.argMax(this.o.student.apply(batch.video, { training: false }).logits!, 1)); // [B]
      const pred = await predicted.data(); // read after the tidy, asynchronously (a GPU backend in Node has no sync readback)
      predicted.dispose();
      pred.forEach((p, b) => (correct += p === batch.labels[b] ? 1 : 0));
      total += chunk.length;
      disposeBatch(batch);
    }
    this.o.student.train();
    return total ? correct / total : 0;
  }

  private writeRunJson(extra: Record<string, unknown>): void {
    const file = path.join(this.o.outDir, 'run.json');
    const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    const run = {
      ...previous,
      config: this.config,
      method: this.method.name,
      architecture: this.architecture,
      seed: this.config.seed,
      validationPolicy: this.config.validation.policy,
      selection:
        this.config.validation.policy === 'test'
          ? 'checkpoint selected on the TEST split (the reference behaviour)'
          : this.config.validation.policy === 'held-out'
            ? 'checkpoint selected on a held-out split of the training set'
            : 'no selection: last checkpoint',
      backend: tf.getBackend(),
      versions: { tfjsCore: tf.version_core, node: process.version },
      gitRevision: gitRevision(),
      startedAt: previous.startedAt ?? new Date().toISOString(),
      ...this.o.runInfo,
      ...extra,
    };
    writeFileAtomicSync(file, `${JSON.stringify(run, null, 2)}\n`);
  }

  /**
   * Trains to `config.epochs`, holding `outDir`'s lock throughout (a second process on the folder is
   * refused) and applying the run-folder policy first (see `resume`, `force`, `allowConfigChange`).
   */
  async fit(): Promise<TrainResult> {
    const notice = this.o.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
    const release = acquireFolderLock(this.o.outDir, { what: 'ccl train', onNotice: notice });
    try {
      const plan = prepareRunFolder(this.o.outDir, this.config, this.o, notice);
      return await this.fitLocked(plan);
    } finally {
      release();
    }
  }

  /**
   * Applies the learning-rate schedule for `epoch` to the student's optimiser (the schedule drives the
   * student's optimiser only, reference) and returns the rate. `fit` calls it at the start of each epoch.
   */
  startEpoch(epoch: number): number {
    const lr = this.schedule.lrAt(epoch, this.config.optimizer.lr);
    this.optimizers.student.lr = lr;
    return lr;
  }

  /** The sample order of `epoch`: a permutation seeded by (seed, epoch), the last one kept. */
  private epochOrder(epoch: number): number[] {
    if (this.order?.epoch !== epoch) this.order = { epoch, order: permutation(this.o.train.length, keyedRng(this.config.seed, RNG_PURPOSE.order, epoch)) };
    return this.order.order;
  }

  /**
   * The batch `fit` trains on at step `step` of `epoch`: the rows of that step in the epoch's seeded order,
   * each drawn with the RNG of (seed, epoch, dataset index), plus the online teachers' features of its
   * frames. The caller owns it (disposeBatch).
   */
  async trainBatch(epoch: number, step: number): Promise<TrainingBatch> {
    const { batchSize, seed } = this.config;
    const indices = this.epochOrder(epoch).slice(step * batchSize, (step + 1) * batchSize);
    const batch = await loadBatch(this.o.train, indices, (i) => ({ kind: 'train', rng: keyedRng(seed, RNG_PURPOSE.sample, epoch, i) }), this.teacherDims);
    try {
      this.onlineTeacherFeatures(batch, epoch, step);
    } catch (err) {
      disposeBatch(batch);
      throw err;
    }
    return batch;
  }

  /**
   * One optimisation step on `batch`: the student's train-mode forward, the method's loss, the gradients
   * of every trainable variable (student and method modules), gradient clipping and every optimiser's
   * update, then the method's `afterStep` (memory banks) on this step's pre-update features. A non-finite
   * loss follows `config.nanGuard` ('error' throws, 'skip' leaves the weights alone and returns
   * `applied: false`). The batch stays the caller's (`fit` disposes it); the step leaves no tensor behind
   * once the optimisers' buffers exist (after the first step). `at` only names the step in the error.
   */
  async step(batch: TrainingBatch, at?: { epoch: number; step: number }): Promise<StepOutcome> {
    const { config } = this;
    const computeGradients = this.o.gradients === 'tfjs' ? tf.variableGrads : variableGradsLean;
    const kept: Record<string, tf.Scalar> = {};
    let stepTensors: StepTensors | null = null;
    const { value, grads } = computeGradients(() => {
      const out = this.o.student.apply(batch.video, { training: true });
      if (!out.logits) throw new Error('the student encoder has no classifier head (logits)');
      stepTensors = { features: out.features, logits: out.logits, labels: batch.labels, indices: batch.indices, teachers: batch.teachers };
      if (this.method.afterStep) stepTensors = { ...stepTensors, features: tf.keep(out.features), logits: tf.keep(out.logits) };
      const { total, terms } = this.method.loss(stepTensors);
      for (const [k, v] of Object.entries(terms)) kept[k] = tf.keep(v);
      return total;
    }, this.allVariables());
    // read back asynchronously: a GPU backend in Node (WebGPU through Dawn) has no synchronous readback
    const termNames = Object.keys(kept);
    const [lossValues, ...termValues] = await Promise.all([value, ...termNames.map((k) => kept[k]!)].map((t) => t.data()));
    const loss = lossValues![0]!;
    const terms = Object.fromEntries(termNames.map((k, i) => [k, termValues[i]![0]!]));
    tf.dispose([value, ...Object.values(kept)]); // a term may be the total itself
    const keptForAfterStep = (): tf.Tensor[] =>
      this.method.afterStep && stepTensors ? [(stepTensors as StepTensors).features, (stepTensors as StepTensors).logits] : [];
    let applied = true;
    if (!Number.isFinite(loss) && config.nanGuard !== 'off') {
      if (config.nanGuard === 'error') {
        tf.dispose([...Object.values(grads), ...keptForAfterStep()]);
        const where = at ? ` at epoch ${at.epoch + 1}, step ${at.step + 1}` : '';
        throw new Error(
          `non-finite loss (${loss})${where} (terms ${JSON.stringify(terms)}); the last checkpoint in ${this.ckptDir} is intact. Set nanGuard: 'skip' to skip such steps.`,
        );
      }
      applied = false;
    }
    if (applied) {
      if (config.clipGradNorm) clipGradNorm(grads, config.clipGradNorm);
      for (const opt of Object.values(this.optimizers)) opt.step(grads);
    }
    tf.dispose(Object.values(grads));
    if (applied && this.method.afterStep && stepTensors) {
      // memory banks take the features of this step's (pre-update) forward pass, outside the gradient
      const st: StepTensors = stepTensors;
      tf.tidy(() => this.method.afterStep!(st));
    }
    tf.dispose(keptForAfterStep());
    const missing = Object.fromEntries(Object.entries(batch.teachers).map(([n, t]) => [`missing.${n}`, t.mask.length - t.mask.reduce((a, m) => a + m, 0)]));
    return { loss, terms, applied, missing };
  }

  /**
   * Trains steps `startStep`.. of `epoch` (loading, stepping, logging, step checkpoints); `stopped` when
   * `signal` stopped the run after a step.
   */
  private async runEpoch(epoch: number, startStep: number, run: RunProgress): Promise<{ lr: number; stopped: boolean }> {
    const { config } = this;
    const perEpoch = this.stepsPerEpoch();
    const lr = this.startEpoch(epoch);
    const bar = this.o.progress === null ? null : new ProgressBar(perEpoch, { stream: this.o.progress, label: `epoch ${epoch + 1}/${config.epochs}` });
    let clipsSeen = 0;
    for (let step = startStep; step < perEpoch; step++) {
      const batch = await this.trainBatch(epoch, step);
      let outcome: StepOutcome;
      try {
        outcome = await this.step(batch, { epoch, step });
      } finally {
        disposeBatch(batch);
      }
      const { loss, terms, applied, missing } = outcome;
      if (!applied) run.skipped++;
      run.globalStep++;
      clipsSeen += batch.indices.length;
      run.steps.append({ epoch, step, globalStep: run.globalStep, lr, loss, applied, ...terms, ...missing });
      bar?.update(step + 1 - startStep, clipsSeen, { loss, ...(terms.cls_v !== undefined ? { ce: terms.cls_v } : {}) });
      await this.o.onStep?.({ epoch, step, globalStep: run.globalStep, lr, terms: { loss, ...terms }, numTensors: tf.memory().numTensors });
      const stepCkpt = config.checkpointEverySteps > 0 && run.globalStep % config.checkpointEverySteps === 0 && step + 1 < perEpoch;
      if (stepCkpt)
        await this.save(path.join(this.ckptDir, 'latest.ckpt'), { epoch, stepInEpoch: step + 1, globalStep: run.globalStep, bestMetric: run.bestMetric });
      if (this.o.signal?.aborted) {
        bar?.done();
        return { lr, stopped: true };
      }
    }
    bar?.done();
    return { lr, stopped: false };
  }

  private async fitLocked(plan: RunFolderPlan): Promise<TrainResult> {
    const { config } = this;
    const latest = path.join(this.ckptDir, 'latest.ckpt');
    let epoch = 0;
    let startStep = 0;
    const run: RunProgress = { globalStep: 0, bestMetric: null, skipped: 0, steps: new JsonlLog(path.join(this.o.outDir, 'steps.jsonl')) };
    const epochs = new JsonlLog(path.join(this.o.outDir, 'epochs.jsonl'));
    if (plan.mode === 'resume') {
      const meta = this.restore(latest);
      epoch = meta.epoch;
      startStep = meta.stepInEpoch;
      run.globalStep = meta.globalStep;
      run.bestMetric = meta.bestMetric;
      run.steps.truncate((r) => (r.globalStep as number) <= run.globalStep);
      epochs.truncate((r) => (r.epoch as number) < epoch);
    }
    const configChanged = plan.configChanges.length ? { configChanged: plan.configChanges } : {};
    this.writeRunJson({ resumedFrom: plan.mode === 'resume' ? { epoch, stepInEpoch: startStep, globalStep: run.globalStep, ...configChanged } : null });

    let lastValidation: number | null = null;
    const result = (epochsDone: number, stopped: boolean): TrainResult => ({
      epochsDone,
      globalStep: run.globalStep,
      bestMetric: run.bestMetric,
      lastValidation,
      skippedSteps: run.skipped,
      stopped,
    });
    this.o.student.train();
    for (; epoch < config.epochs; epoch++) {
      const { lr, stopped } = await this.runEpoch(epoch, startStep, run);
      if (stopped) return result(epoch, true);
      startStep = 0;
      const record: Record<string, unknown> = { epoch, lr, steps: this.stepsPerEpoch(), globalStep: run.globalStep };
      const { policy, every } = config.validation;
      let improved = false;
      if (policy !== 'none' && (epoch + 1) % every === 0 && this.o.validation) {
        lastValidation = await this.validate(this.o.validation);
        record[policy === 'test' ? 'testClipAccuracy' : 'valClipAccuracy'] = lastValidation;
        improved = run.bestMetric === null || lastValidation > run.bestMetric;
        if (improved) run.bestMetric = lastValidation;
      }
      epochs.append(record);
      const meta = { epoch: epoch + 1, stepInEpoch: 0, globalStep: run.globalStep, bestMetric: run.bestMetric };
      if (improved) await this.save(path.join(this.ckptDir, 'best.ckpt'), meta);
      if ((epoch + 1) % config.checkpointEvery === 0 || epoch + 1 === config.epochs) {
        await this.save(path.join(this.ckptDir, `epoch-${String(epoch + 1).padStart(4, '0')}.ckpt`), meta);
      }
      await this.save(latest, meta);
    }
    this.writeRunJson({ finishedAt: new Date().toISOString(), globalStep: run.globalStep, bestMetric: run.bestMetric, skippedSteps: run.skipped });
    return result(config.epochs, false);
  }

  dispose(): void {
    for (const opt of Object.values(this.optimizers)) opt.dispose();
    this.method.dispose();
  }
}
