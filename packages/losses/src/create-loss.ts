import { addLoss, lossRegistry, type RegisterLossOptions } from './loss-registry';
import type { Loss, LossFactory } from './loss';
import type { MultiClassNceOptions } from './nce';
import type { JsdOptions } from './jsd';
import type {
  AtOptions,
  CmcLoss,
  CmcOptions,
  CorOptions,
  CrdLoss,
  CrdOptions,
  FitNetLoss,
  FitNetOptions,
  HintonKdOptions,
  IfdOptions,
  PktOptions,
  RkdOptions,
  SpOptions,
  VidLoss,
  VidOptions,
} from './kd';
// The built-in losses register themselves beside their definitions when their modules load.
import './nce';
import './jsd';
import './cross-entropy';
import './kd';

// The typed public face of the loss registry (loss-registry.ts). Nothing imports this module but the
// package index, so no loss module depends on it.

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

/** `[options?]` when every option is optional, else `[options]`. */
type OptionsArg<O> = {} extends O ? [options?: O] : [options: O];

/**
 * Registers a loss factory under `name` (torchdistill's loss registry is the model). Throws when the name is
 * taken, unless `{ override: true }`.
 */
export function registerLoss<K extends keyof LossOptionsMap>(
  name: K,
  factory: (options: LossOptionsMap[K]) => LossInstance<K>,
  options?: RegisterLossOptions,
): void;
export function registerLoss<O>(name: string, factory: LossFactory<O>, options?: RegisterLossOptions): void;
export function registerLoss<O>(name: string, factory: LossFactory<O>, options: RegisterLossOptions = {}): void {
  addLoss(name, factory, options);
}

/** The option keys a registered loss accepts, or undefined when it did not declare them (or is not registered). */
export function lossOptionKeys(name: string): readonly string[] | undefined {
  return lossRegistry.optionKeys(name);
}

/** Creates a registered loss. Throws, listing the known names, when `name` is unknown. */
export function createLoss<K extends keyof LossOptionsMap>(name: K, ...options: OptionsArg<LossOptionsMap[K]>): LossInstance<K>;
export function createLoss<N extends string>(name: N extends keyof LossOptionsMap ? never : N, options?: unknown): Loss;
export function createLoss(name: string, options?: unknown): Loss {
  const factory = lossRegistry.get(name);
  lossRegistry.checkOptions(name, options);
  const loss = factory(options ?? {});
  if (loss === null || typeof loss !== 'object' || typeof loss.compute !== 'function' || !Array.isArray(loss.variables) || typeof loss.dispose !== 'function') {
    throw new Error(`@ccl/losses create-loss.ts: the factory of loss '${name}' must return { name, variables: tf.Variable[], compute(inputs), dispose() }`);
  }
  return loss;
}

/** Names of every registered loss, sorted. */
export function listLosses(): string[] {
  return lossRegistry.list();
}

/** Whether `name` is registered. */
export function hasLoss(name: string): boolean {
  return lossRegistry.has(name);
}
