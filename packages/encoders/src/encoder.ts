import * as tf from '@tensorflow/tfjs-core';
import type { BatchNorm } from './nn/batchnorm';
import type { ForwardContext } from './nn/context';
import type { Linear, LoadStateDictOptions, StateDict } from '@ccl/base';
import { countTrainable, type ParameterStore, type ParamSpec } from './nn/parameters';
import { loadParams, type LoadReport } from './state-dict';

export interface EncoderApplyOptions {
  /**
   * BatchNorm mode for this call: true = batch statistics + running-statistic update (torch `train()`),
   * false = running statistics (torch `eval()`). Defaults to the encoder's mode (`train()` / `eval()`),
   * which is eval (false) for a new encoder.
   */
  training?: boolean;
}

/** A type alias (not an interface) so that `tf.dispose(output)` type-checks. */
export type EncoderOutput = {
  /** embedding used for distillation [B, D]. */
  features: tf.Tensor2D;
  /** classifier output [B, K], present when the encoder has a classifier (numClasses > 0). */
  logits?: tf.Tensor2D;
};

/**
 * What raw media must become before `features()`, as the encoder's weights expect it: the preprocessing a
 * caller that starts from decoded media (e.g. `ccl features extract`) applies.
 * - `images`: RGB scaled to [0, 1], then (x - mean) / std per channel (mean 0, std 1 when the encoder
 *   normalises its inputs itself).
 * - `waveform`: mono audio at `sampleRate` Hz.
 */
export type InputConvention =
  { kind: 'images'; mean: readonly number[]; std: readonly number[]; description: string } | { kind: 'waveform'; sampleRate: number; description: string };

export interface NamedVariable {
  /** torch state-dict name. */
  readonly name: string;
  readonly variable: tf.Variable;
}

/** The contract every encoder of the registry fulfils. */
export interface Encoder {
  /** registry name, e.g. `r2plus1d-18`. */
  readonly name: string;
  /** D of features(). */
  readonly featureDim: number;
  /** K of head(); 0 when the encoder has no classifier. */
  readonly numClasses: number;
  /** expected input layout, e.g. `[B, T, H, W, C]`. */
  readonly inputLayout: string;
  /** the preprocessing raw media needs for this encoder (teachers declare it; absent: inputs are taken as they come). */
  readonly inputConvention?: InputConvention;
  /** current BatchNorm mode. */
  readonly isTraining: boolean;
  /** trainable variables (torch `parameters()`), in torch registration order. */
  readonly trainableVariables: tf.Variable[];
  /** torch `named_parameters()`: torch name + variable (tfjs layout) of every trainable parameter. */
  namedParameters(): NamedVariable[];
  features(x: tf.Tensor, options?: EncoderApplyOptions): tf.Tensor2D;
  /** classifier: features [B, D] -> logits [B, K]. Throws when numClasses is 0. */
  head(features: tf.Tensor2D): tf.Tensor2D;
  apply(x: tf.Tensor, options?: EncoderApplyOptions): EncoderOutput;
  /** trainable parameter count (torch `sum(p.numel() for p in parameters())`; BN running stats excluded). */
  countParams(): number;
  /** parameter and buffer specs (torch names and shapes). */
  describe(): ParamSpec[];
  train(): this;
  eval(): this;
  /** torch-named, torch-layout copies of every parameter and buffer (caller disposes). */
  stateDict(): StateDict;
  loadStateDict(dict: StateDict, options?: LoadStateDictOptions): LoadReport;
  dispose(): void;
}

/** The count held by a `num_batches_tracked` tensor: one non-negative integer (checked before anything loads). */
function batchesTracked(t: tf.Tensor, key: string, source: string): number {
  const values = t.dataSync();
  const count = values[0];
  if (values.length !== 1 || !Number.isInteger(count) || count < 0) {
    throw new Error(
      `loadStateDict(${source}): ${key} must hold one non-negative integer, got [${Array.from(values.slice(0, 4)).join(', ')}${values.length > 4 ? ', ...' : ''}] (shape [${t.shape.join(', ')}])`,
    );
  }
  return count;
}

/**
 * Shared implementation: parameters live in a ParameterStore (torch names + layouts); subclasses give
 * the feature extractor and, optionally, the classifier.
 */
export abstract class ModuleEncoder implements Encoder {
  abstract readonly featureDim: number;
  abstract readonly inputLayout: string;
  private training = false;
  private disposed = false;

  protected constructor(
    readonly name: string,
    protected readonly store: ParameterStore,
  ) {}

  /** The classifier (torch `linear` / `fc`), or null. */
  protected abstract readonly classifier: Linear | null;

  /** BatchNorm layers, for their `num_batches_tracked` buffers. */
  protected abstract batchNorms(): BatchNorm[];

  /** Checks the input (throws a clear Error); called before every forward pass. */
  protected abstract checkInput(x: tf.Tensor): void;

  /** x -> [B, D], inside a tidy. */
  protected abstract forwardFeatures(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D;

  get numClasses(): number {
    return this.classifier === null ? 0 : this.classifier.outFeatures;
  }

  get isTraining(): boolean {
    return this.training;
  }

  get trainableVariables(): tf.Variable[] {
    this.assertLive();
    return this.store.params.filter((p) => p.spec.trainable).map((p) => p.variable);
  }

  namedParameters(): NamedVariable[] {
    this.assertLive();
    return this.store.params.filter((p) => p.spec.trainable).map((p) => ({ name: p.spec.name, variable: p.variable }));
  }

  train(): this {
    this.training = true;
    return this;
  }

  eval(): this {
    this.training = false;
    return this;
  }

  features(x: tf.Tensor, options: EncoderApplyOptions = {}): tf.Tensor2D {
    this.assertLive();
    this.checkInput(x);
    const ctx: ForwardContext = { training: options.training ?? this.training };
    return tf.tidy(() => this.forwardFeatures(x, ctx));
  }

  head(features: tf.Tensor2D): tf.Tensor2D {
    this.assertLive();
    const classifier = this.classifier;
    if (classifier === null) throw new Error(`${this.name}: no classifier (created with numClasses 0)`);
    return tf.tidy(() => classifier.apply(features));
  }

  apply(x: tf.Tensor, options: EncoderApplyOptions = {}): EncoderOutput {
    this.assertLive();
    this.checkInput(x);
    const ctx: ForwardContext = { training: options.training ?? this.training };
    const classifier = this.classifier;
    return tf.tidy(() => {
      const features = this.forwardFeatures(x, ctx);
      return classifier === null ? { features } : { features, logits: classifier.apply(features) };
    });
  }

  countParams(): number {
    return countTrainable(this.describe());
  }

  describe(): ParamSpec[] {
    return this.store.params.map((p) => p.spec);
  }

  stateDict(): StateDict {
    this.assertLive();
    const tracked = new Map(this.batchNorms().map((bn) => [`${bn.name}.running_var`, bn]));
    const dict: StateDict = {};
    for (const p of this.store.params) {
      dict[p.spec.name] = tf.tidy(() => p.spec.layout.toTorch(p.variable, p.spec.torchShape));
      const bn = tracked.get(p.spec.name);
      if (bn !== undefined) dict[`${bn.name}.num_batches_tracked`] = tf.scalar(bn.numBatchesTracked, 'int32');
    }
    return dict;
  }

  /** Loads parameters and buffers, BatchNorm's `num_batches_tracked` included (reported as loaded). */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadReport {
    this.assertLive();
    const tracked = this.batchNorms().flatMap((bn) => {
      const key = `${bn.name}.num_batches_tracked`;
      const t = dict[key];
      return t === undefined ? [] : [{ bn, key, count: batchesTracked(t, key, options.source ?? this.name) }];
    });
    const report = loadParams(this.name, this.store.params, dict, options);
    for (const { bn, count } of tracked) bn.numBatchesTracked = count;
    const restored = new Set(tracked.map((t) => t.key));
    return { ...report, loaded: [...report.loaded, ...restored], ignored: report.ignored.filter((k) => !restored.has(k)) };
  }

  dispose(): void {
    if (this.disposed) return;
    for (const bn of this.batchNorms()) bn.releaseFolded();
    for (const p of this.store.params) if (p.allocated) p.variable.dispose();
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.name}: encoder was disposed`);
  }
}
