import * as tf from '@tensorflow/tfjs-core';
import type { CheckpointMeta } from '../checkpoint/checkpoint';
import { isResolvedExperimentConfig, resolveExperimentConfig, type ExperimentConfig } from '../config/experiment';
import '../methods/baseline';
import '../methods/ccl';
import '../methods/kd';
import type { Method, StepTensors } from '../methods/method';
import { createMethod } from '../methods/registry';
import { createSchedule, type LrSchedule } from '../optim/schedule';
import { clipGradNorm, Sgd } from '../optim/sgd';
import { keyedRng, permutation } from '@ccl/base';
import { RNG_PURPOSE } from '../rng-purpose';
import { disposeBatch, loadBatch } from './batch';
import { architectureOf, RunCheckpoints, type CheckpointPosition } from './checkpoints';
import { addOnlineTeacherFeatures } from './online-teachers';
import { progressBarListener, type ProgressStream } from './progress-bar';
import { inRunFolder, type DivergedAt, type RunFolderPlan } from './run-folder';
import { RunLogs } from './run-logs';
import { RunRecord } from './run-record';
import type { TrainingEvent } from './training-events';
import type { TrainingBatch, SampleSource, TrainableEncoder } from './types';
import { variableGradsLean } from './lean-gradients';
import { clipAccuracy } from './validation';

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
  /**
   * Told what the run does as it goes (epoch start and end, every step, validation): a progress bar
   * (progressBarListener, as `ccl train` shows) or any other record. Called synchronously.
   */
  onEvent?: (event: TrainingEvent) => void;
  /**
   * @deprecated Pass `onEvent: progressBarListener(stream)`. A stream: the events rendered as a progress bar
   * there. Default (and `null`): no bar (until 0.2 the default was stderr).
   */
  progress?: ProgressStream | null;
  /** Stops the run after the current step (its checkpoint-every-steps policy still applies). */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (info: StepInfo) => unknown; // a returned promise is awaited before the next step
  /**
   * Recorded in run.json as it is: the caller's provenance (the code's `gitRevision`, the command line, the
   * config file; @ccl/experiments' trainFromConfigFile and the benchmark record them) and anything else.
   */
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

/**
 * A training step with a non-finite loss or gradient under `nanGuard: 'error'`: the run diverged. `at` is the
 * step (0-based epoch and step in it, and the global step; null when `step` was called without one); `fit`
 * records it in run.json (`diverged`) before it rethrows. Its checkpoints stay as they were.
 */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
  /** Where, in words (' at epoch E, step S (global step G)', 1-based; '' without `at`). */
  readonly where: string;
  constructor(
    /** What was not finite, in words. */
    readonly reason: string,
    readonly at: DivergedAt | null,
    /** What the message adds after the place (the terms, what to do). */
    detail: string,
  ) {
    const where = at ? ` at epoch ${at.epoch + 1}, step ${at.step + 1}${at.globalStep ? ` (global step ${at.globalStep})` : ''}` : '';
    super(`${reason}${where} ${detail}`);
    this.where = where;
  }
}

/** The counters one `fit` carries across epochs. */
interface RunProgress {
  globalStep: number;
  bestMetric: number | null;
  skipped: number;
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
  private readonly teacherDims: Record<string, number>;
  private readonly checkpoints: RunCheckpoints;
  private readonly record: RunRecord;
  private readonly emit: (event: TrainingEvent) => void;
  private order: { epoch: number; order: number[] } | null = null;

  constructor(private readonly o: TrainerOptions) {
    this.config = isResolvedExperimentConfig(o.config) ? o.config : resolveExperimentConfig(o.config);
    this.method = createMethod(this.config.method, { config: this.config, numClasses: o.numClasses, studentDim: o.studentDim, datasetSize: o.train.length });
    this.optimizers.student = new Sgd(o.student.trainableVariables, this.config.optimizer);
    for (const [name, vars] of Object.entries(this.method.modules)) this.optimizers[name] = new Sgd(vars, this.config.optimizer);
    this.schedule = createSchedule(this.config.schedule);
    const architecture = o.architecture ?? architectureOf(this.config.student.encoder, o.student);
    this.teacherDims = Object.fromEntries(this.config.teachers.filter((t) => t.input === 'features').map((t) => [t.name, t.dim]));
    for (const t of this.config.teachers) {
      if (t.input === 'online-frame' && !o.onlineTeachers?.[t.name]) throw new Error(`teacher '${t.name}' runs online but no encoder was given for it`);
    }
    this.checkpoints = new RunCheckpoints(
      o.outDir,
      { student: o.student, method: this.method, optimizers: this.optimizers },
      { architecture, config: this.config },
    );
    this.record = new RunRecord(o.outDir, { config: this.config, method: this.method.name, architecture, info: o.runInfo });
    const listeners = [o.onEvent, o.progress ? progressBarListener(o.progress) : undefined].filter((l) => l !== undefined);
    this.emit = (event) => listeners.forEach((l) => l(event));
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

  /** Restores everything from a checkpoint written by a run of the same model; an error names the file. */
  restore(file: string): CheckpointMeta {
    return this.checkpoints.restore(file);
  }

  /** Clip accuracy on the validation source: `clips` evenly spaced clips per video, student in eval mode. */
  async validate(source: SampleSource): Promise<number> {
    return clipAccuracy(this.o.student, source, { clips: this.config.validation.clips, batchSize: this.config.batchSize });
  }

  /**
   * Trains to `config.epochs`, holding `outDir`'s lock throughout (a second process on the folder is
   * refused) and applying the run-folder policy first (see `resume`, `force`, `allowConfigChange`).
   */
  async fit(): Promise<TrainResult> {
    const notice = this.o.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
    return inRunFolder(this.o.outDir, this.config, this.o, notice, (plan) => this.fitLocked(plan));
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
      addOnlineTeacherFeatures(batch, this.config, this.o.onlineTeachers, epoch, step);
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
   * loss or gradient follows `config.nanGuard` ('error' throws a DivergedError, 'skip' leaves the weights
   * alone and returns `applied: false`). The gradients are checked as well as the loss because a finite
   * loss does not prove a finite step: on the WASM backend, XNNPACK's poolings (the BatchNorm statistics'
   * reductions) turn NaN into -Infinity, so a student whose weights went non-finite gives zero features and
   * a finite loss (measured: docs/benchmark.md). The batch stays the caller's (`fit` disposes it); the step
   * leaves no tensor behind once the optimisers' buffers exist (after the first step). `at` only names the
   * step in the error.
   */
  async step(batch: TrainingBatch, at?: DivergedAt): Promise<StepOutcome> {
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
    const gradNames = Object.keys(grads);
    // [variables], non-finite where a gradient is; not computed when nothing would read it
    const gradSums = config.nanGuard === 'off' ? tf.zeros([0]) : tf.tidy(() => tf.stack(gradNames.map((k) => tf.sum(grads[k]!))));
    const [lossValues, sums, ...termValues] = await Promise.all([value, gradSums, ...termNames.map((k) => kept[k]!)].map((t) => t.data()));
    const loss = lossValues![0]!;
    const terms = Object.fromEntries(termNames.map((k, i) => [k, termValues[i]![0]!]));
    const nonFiniteGradients = Array.from(sums!).filter((sum) => !Number.isFinite(sum)).length;
    tf.dispose([value, gradSums, ...Object.values(kept)]); // a term may be the total itself
    const keptForAfterStep = (): tf.Tensor[] =>
      this.method.afterStep && stepTensors ? [(stepTensors as StepTensors).features, (stepTensors as StepTensors).logits] : [];
    let applied = true;
    if ((!Number.isFinite(loss) || nonFiniteGradients > 0) && config.nanGuard !== 'off') {
      if (config.nanGuard === 'error') {
        tf.dispose([...Object.values(grads), ...keptForAfterStep()]);
        const reason = Number.isFinite(loss)
          ? `non-finite gradients of ${nonFiniteGradients} of ${gradNames.length} variables with a finite loss (${loss})`
          : `non-finite loss (${loss})`;
        throw new DivergedError(
          reason,
          at ?? null,
          `(terms ${JSON.stringify(terms)}); the last checkpoint in ${this.checkpoints.dir} is intact. Set nanGuard: 'skip' to skip such steps.`,
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
  private async runEpoch(epoch: number, startStep: number, run: RunProgress, logs: RunLogs): Promise<{ lr: number; stopped: boolean }> {
    const { config } = this;
    const steps = this.stepsPerEpoch();
    const lr = this.startEpoch(epoch);
    this.emit({ type: 'epoch-start', epoch, epochs: config.epochs, steps, startStep, lr });
    let clips = 0;
    for (let step = startStep; step < steps; step++) {
      const batch = await this.trainBatch(epoch, step);
      let outcome: StepOutcome;
      try {
        outcome = await this.step(batch, { epoch, step, globalStep: run.globalStep + 1 });
      } finally {
        disposeBatch(batch);
      }
      const { loss, terms, applied, missing } = outcome;
      if (!applied) run.skipped++;
      run.globalStep++;
      clips += batch.indices.length;
      logs.steps.append({ epoch, step, globalStep: run.globalStep, lr, loss, applied, ...terms, ...missing });
      this.emit({ type: 'step', epoch, step, steps, startStep, globalStep: run.globalStep, clips, lr, loss, terms, applied });
      await this.o.onStep?.({ epoch, step, globalStep: run.globalStep, lr, terms: { loss, ...terms }, numTensors: tf.memory().numTensors });
      const stepCkpt = config.checkpointEverySteps > 0 && run.globalStep % config.checkpointEverySteps === 0 && step + 1 < steps;
      if (stepCkpt) await this.checkpoints.save('latest', { epoch, stepInEpoch: step + 1, globalStep: run.globalStep, bestMetric: run.bestMetric });
      if (this.o.signal?.aborted) {
        this.emit({ type: 'epoch-end', epoch, stopped: true });
        return { lr, stopped: true };
      }
    }
    this.emit({ type: 'epoch-end', epoch, stopped: false });
    return { lr, stopped: false };
  }

  /** Validates after `epoch` when `config.validation` says so; null when it does not. */
  private async validateAfter(epoch: number, run: RunProgress): Promise<{ clipAccuracy: number; improved: boolean } | null> {
    const { policy, every } = this.config.validation;
    if (policy === 'none' || (epoch + 1) % every !== 0 || !this.o.validation) return null;
    const clipAccuracy = await this.validate(this.o.validation);
    const improved = run.bestMetric === null || clipAccuracy > run.bestMetric;
    if (improved) run.bestMetric = clipAccuracy;
    this.emit({ type: 'validation', epoch, policy, clipAccuracy, improved });
    return { clipAccuracy, improved };
  }

  private async fitLocked(plan: RunFolderPlan): Promise<TrainResult> {
    const { config } = this;
    let epoch = 0;
    let startStep = 0;
    const run: RunProgress = { globalStep: 0, bestMetric: null, skipped: 0 };
    const logs = new RunLogs(this.o.outDir);
    if (plan.mode === 'resume') {
      const meta = this.restore(this.checkpoints.file('latest'));
      epoch = meta.epoch;
      startStep = meta.stepInEpoch;
      run.globalStep = meta.globalStep;
      run.bestMetric = meta.bestMetric;
      logs.resumeAt(epoch, run.globalStep);
    }
    const configChanged = plan.configChanges.length ? { configChanged: plan.configChanges } : {};
    // a resumed run that had diverged (e.g. now with nanGuard 'skip') is no longer recorded as diverged
    this.record.write({
      resumedFrom: plan.mode === 'resume' ? { epoch, stepInEpoch: startStep, globalStep: run.globalStep, ...configChanged } : null,
      diverged: undefined,
    });

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
      const { lr, stopped } = await this.runEpoch(epoch, startStep, run, logs).catch((e: unknown) => {
        if (e instanceof DivergedError) this.record.write({ diverged: e.at }); // where it diverged, for whoever reads the folder
        throw e;
      });
      if (stopped) return result(epoch, true);
      startStep = 0;
      const record: Record<string, unknown> = { epoch, lr, steps: this.stepsPerEpoch(), globalStep: run.globalStep };
      const validation = await this.validateAfter(epoch, run);
      if (validation) {
        lastValidation = validation.clipAccuracy;
        record[config.validation.policy === 'test' ? 'testClipAccuracy' : 'valClipAccuracy'] = lastValidation;
      }
      logs.epochs.append(record);
      const position: CheckpointPosition = { epoch: epoch + 1, stepInEpoch: 0, globalStep: run.globalStep, bestMetric: run.bestMetric };
      if (validation?.improved) await this.checkpoints.save('best', position);
      if ((epoch + 1) % config.checkpointEvery === 0 || epoch + 1 === config.epochs) await this.checkpoints.save(epoch + 1, position);
      await this.checkpoints.save('latest', position);
    }
    this.record.write({ finishedAt: new Date().toISOString(), globalStep: run.globalStep, bestMetric: run.bestMetric, skippedSteps: run.skipped });
    return result(config.epochs, false);
  }

  dispose(): void {
    for (const opt of Object.values(this.optimizers)) opt.dispose();
    this.method.dispose();
  }
}
