import * as tf from '@tensorflow/tfjs-core';
import { multiClassNce, type MultiClassNceOptions } from './nce';
import { jsdLoss, type JsdOptions } from './jsd';
import { crossEntropy } from './cross-entropy';
import type { Labels } from './labels';
import {
  createAtLoss,
  createCmcLoss,
  createCorLoss,
  createCrdLoss,
  createFitNetLoss,
  createHintonKdLoss,
  createIfdLoss,
  createPktLoss,
  createRkdLoss,
  createSpLoss,
  createVidLoss,
  type AtOptions,
  type CmcLoss,
  type CmcOptions,
  type CorOptions,
  type CrdLoss,
  type CrdOptions,
  type ContrastOptions,
  type FitNetLoss,
  type FitNetOptions,
  type HintonKdOptions,
  type IfdOptions,
  type PktOptions,
  type RkdOptions,
  type SpOptions,
  type VidLoss,
  type VidOptions,
} from './kd';

/**
 * What a loss sees in one training step. Which fields a loss reads is part of its documentation; a loss
 * throws a clear Error when a field it needs is missing.
 */
export interface LossInputs {
  /** Student features [B, Ds] (AT and SP also accept feature maps [B, H, W, C]). */
  student: tf.Tensor;
  /** Teacher features [B, Dt] (fixed: losses never need its gradient). */
  teacher: tf.Tensor;
  /** Class labels [B] (NCE, IFD, CRD's class-aware negatives). */
  labels?: Labels;
  /** Dataset indices [B] of the batch's items: the rows of a memory bank (CRD, CMC). */
  indices?: Labels;
  /** Student logits [B, K] (KD, CE, JSD). */
  studentLogits?: tf.Tensor2D;
  /** Teacher logits [B, K] (KD, JSD). */
  teacherLogits?: tf.Tensor2D;
}

/**
 * A loss instance: a small object with explicit state.
 *
 * - `variables`: trainable parameters (projection heads, regressors); hand them to the optimiser together
 *   with the student's, e.g. `optimizer.minimize(() => loss.compute(inputs), false, [...studentVars, ...loss.variables])`.
 * - `buffers`: non-trainable state: everything besides `variables` that shapes the next step (memory
 *   banks, their step counter, CRD's normalisers); never given to the optimiser, saved with checkpoints (a
 *   run restored from them continues exactly), changed only by `compute`'s first call and `afterStep`.
 * - `compute(inputs)`: the scalar loss; pure with respect to the loss's state (calling it twice between two
 *   `afterStep`s gives the same value), differentiable w.r.t. `inputs.student` and `variables`.
 * - `afterStep(inputs)`: optional; called once per training step after the optimiser update, outside any
 *   gradient (memory-bank momentum update, resampling of negatives).
 * - `dispose()`: frees every variable and buffer; the instance is unusable afterwards.
 */
export interface Loss {
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  readonly buffers?: readonly tf.Variable[];
  compute(inputs: LossInputs): tf.Scalar;
  afterStep?(inputs: LossInputs): void;
  dispose(): void;
}

/** Builds a loss instance from its options. */
export type LossFactory<O = Record<string, unknown>> = (options: O) => Loss;

/** Options of the built-in registered losses (CCL's own terms). */
export type NceLossOptions = MultiClassNceOptions;
export type JsdLossOptions = JsdOptions;
export type CrossEntropyLossOptions = Record<string, never>;

/**
 * Name -> options type of every registered loss, used to type `createLoss`. User code registering a loss
 * can extend it by declaration merging:
 *
 *     declare module '@ccl/losses' { interface LossOptionsMap { 'my-loss': { scale: number } } }
 */
export interface LossOptionsMap {
  nce: NceLossOptions;
  jsd: JsdLossOptions;
  ce: CrossEntropyLossOptions;
  kd: HintonKdOptions;
  fitnet: FitNetOptions;
  pkt: PktOptions;
  cor: CorOptions;
  rkd: RkdOptions;
  crd: CrdOptions;
  cmc: CmcOptions;
  ifd: IfdOptions;
  at: AtOptions;
  sp: SpOptions;
  vid: VidOptions;
}

/**
 * Name -> instance type for the losses whose instances expose more than `Loss` (heads, banks, regressors):
 * `createLoss('crd', ...)` is typed `CrdLoss`. Other names give `Loss`. Extensible like `LossOptionsMap`.
 */
export interface LossInstanceMap {
  fitnet: FitNetLoss;
  crd: CrdLoss;
  cmc: CmcLoss;
  vid: VidLoss;
}

/** The instance type `createLoss(name)` returns. */
export type LossInstance<K extends string> = K extends keyof LossInstanceMap ? LossInstanceMap[K] : Loss;

export interface RegisterLossOptions {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the factory accepts: createLoss refuses any other, naming it (absent: options are not checked). */
  optionKeys?: readonly string[];
}

/** `[options?]` when every option is optional, else `[options]`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type OptionsArg<O> = {} extends O ? [options?: O] : [options: O];

const FILE = '@ccl/losses registry.ts';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const factories = new Map<string, { factory: LossFactory<any>; optionKeys?: readonly string[] }>();

/**
 * Registers a loss factory under `name` (torchdistill's loss registry is the model). Throws when the name is
 * taken, unless `{ override: true }`.
 */
export function registerLoss<K extends keyof LossOptionsMap>(name: K, factory: (options: LossOptionsMap[K]) => LossInstance<K>, options?: RegisterLossOptions): void;
export function registerLoss<O>(name: string, factory: LossFactory<O>, options?: RegisterLossOptions): void;
export function registerLoss<O>(name: string, factory: LossFactory<O>, options: RegisterLossOptions = {}): void {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`${FILE}: a loss name must be a non-empty string, got ${String(name)}`);
  if (typeof factory !== 'function') throw new Error(`${FILE}: the factory for loss '${name}' must be a function, got ${typeof factory}`);
  if (factories.has(name) && options.override !== true) {
    throw new Error(`${FILE}: a loss named '${name}' is already registered; pass { override: true } to replace it`);
  }
  factories.set(name, { factory, optionKeys: options.optionKeys });
}

/** The option keys a registered loss accepts, or undefined when it did not declare them (or is not registered). */
export function lossOptionKeys(name: string): readonly string[] | undefined {
  return factories.get(name)?.optionKeys;
}

/** Creates a registered loss. Throws, listing the known names, when `name` is unknown. */
export function createLoss<K extends keyof LossOptionsMap>(name: K, ...options: OptionsArg<LossOptionsMap[K]>): LossInstance<K>;
export function createLoss<N extends string>(name: N extends keyof LossOptionsMap ? never : N, options?: unknown): Loss;
export function createLoss(name: string, options?: unknown): Loss {
  const entry = factories.get(name);
  if (entry === undefined) {
    throw new Error(`${FILE}: unknown loss '${name}'; registered losses: ${listLosses().join(', ')}`);
  }
  const known = entry.optionKeys;
  const unknown = known === undefined || options === null || typeof options !== 'object' ? [] : Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${FILE}: loss '${name}': unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known!.join(', ') || 'none'})`);
  const loss = entry.factory(options ?? {});
  if (loss === null || typeof loss !== 'object' || typeof loss.compute !== 'function' || !Array.isArray(loss.variables) || typeof loss.dispose !== 'function') {
    throw new Error(`${FILE}: the factory of loss '${name}' must return { name, variables: tf.Variable[], compute(inputs), dispose() }`);
  }
  return loss;
}

/** Names of every registered loss, sorted. */
export function listLosses(): string[] {
  return [...factories.keys()].sort();
}

/** Whether `name` is registered. */
export function hasLoss(name: string): boolean {
  return factories.has(name);
}

/** A stateless loss (no variables, no buffers) from a function of the inputs. */
export function statelessLoss(name: string, compute: (inputs: LossInputs) => tf.Scalar): Loss {
  return { name, variables: [], buffers: [], compute, dispose: () => undefined };
}

function required<T>(loss: string, field: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`${FILE}: loss '${loss}' needs inputs.${field}`);
  return value;
}

/** Every key of T, the compiler checking that the list is complete and has no extra key. */
function keysOf<T>(keys: Record<keyof T, true>): string[] {
  return Object.keys(keys);
}
const CONTRAST_KEYS = keysOf<ContrastOptions>({
  studentDim: true, teacherDim: true, bankSize: true, embedDim: true, numNegatives: true, temperature: true, momentum: true, seed: true, bankLabels: true, checkFinite: true,
});

registerLoss('nce', (o) =>
  statelessLoss('nce', (x) => multiClassNce(x.student as tf.Tensor2D, x.teacher as tf.Tensor2D, required('nce', 'labels', x.labels), o)),
  { optionKeys: keysOf<NceLossOptions>({ temperature: true, noNegatives: true }) });
registerLoss('jsd', (o) =>
  statelessLoss('jsd', (x) => jsdLoss(required('jsd', 'studentLogits', x.studentLogits), required('jsd', 'teacherLogits', x.teacherLogits), o)),
  { optionKeys: keysOf<JsdLossOptions>({ weight: true }) });
registerLoss('ce', () =>
  statelessLoss('ce', (x) => crossEntropy(required('ce', 'studentLogits', x.studentLogits), required('ce', 'labels', x.labels))),
  { optionKeys: [] });
registerLoss('kd', createHintonKdLoss, { optionKeys: keysOf<HintonKdOptions>({ temperature: true, checkFinite: true }) });
registerLoss('fitnet', createFitNetLoss, { optionKeys: keysOf<FitNetOptions>({ studentDim: true, teacherDim: true, seed: true, checkFinite: true }) });
registerLoss('pkt', createPktLoss, { optionKeys: keysOf<PktOptions>({ checkFinite: true }) });
registerLoss('cor', createCorLoss, { optionKeys: keysOf<CorOptions>({ kernel: true, gamma: true, checkFinite: true }) });
registerLoss('rkd', createRkdLoss, { optionKeys: keysOf<RkdOptions>({ distanceWeight: true, angleWeight: true, checkFinite: true }) });
registerLoss('crd', createCrdLoss, { optionKeys: CONTRAST_KEYS });
registerLoss('cmc', createCmcLoss, { optionKeys: CONTRAST_KEYS });
registerLoss('ifd', createIfdLoss, { optionKeys: keysOf<IfdOptions>({ checkFinite: true }) });
registerLoss('at', createAtLoss, { optionKeys: keysOf<AtOptions>({ p: true, checkFinite: true }) });
registerLoss('sp', createSpLoss, { optionKeys: keysOf<SpOptions>({ checkFinite: true }) });
registerLoss('vid', createVidLoss, { optionKeys: keysOf<VidOptions>({ studentDim: true, teacherDim: true, hiddenDim: true, regressor: true, initVariance: true, eps: true, seed: true, checkFinite: true }) });
