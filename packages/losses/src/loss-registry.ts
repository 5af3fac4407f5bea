import { createRegistry } from '@ccl/base';
import type { LossFactory } from './loss';

const FILE = '@ccl/losses loss-registry.ts';

export interface RegisterLossOptions {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the factory accepts: createLoss refuses any other, naming it (absent: options are not checked). */
  optionKeys?: readonly string[];
}

/**
 * The losses by name (torchdistill's loss registry is the model). Every built-in loss registers itself
 * beside its definition through `addLoss`; users call the typed `registerLoss` of create-loss.ts.
 */
export const lossRegistry = createRegistry<LossFactory<any>>('loss', { errorPrefix: `${FILE}: `, listLabel: 'registered losses' });

/** Registers `factory` under `name`; throws when the name is taken, unless `{ override: true }`. */
export function addLoss<O>(name: string, factory: LossFactory<O>, options: RegisterLossOptions = {}): void {
  if (typeof factory !== 'function') throw new Error(`${FILE}: the factory for loss '${name}' must be a function, got ${typeof factory}`);
  lossRegistry.register(name, factory, options);
}
