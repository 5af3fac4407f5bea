import { createRegistry } from '@ccl/base';
import type { Composition, CompositionOptions } from './head';

export type CompositionFactory = (options: CompositionOptions) => Composition;

export interface CompositionRegistration {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the factory accepts: createComposition refuses any other, naming it (absent: not checked). */
  optionKeys?: readonly string[];
}

/** The composition heads by name; the built-ins register themselves beside their definitions (residual.ts). */
const compositions = createRegistry<CompositionFactory>('composition');

/** Adds a composition function under `name` (an error if taken, unless `override`). */
export function registerComposition(name: string, factory: CompositionFactory, options: CompositionRegistration = {}): void {
  compositions.register(name, factory, options);
}

/** The option keys a registered composition accepts, or undefined when it did not declare them (or is not registered). */
export function compositionOptionKeys(name: string): readonly string[] | undefined {
  return compositions.optionKeys(name);
}

/** Builds a registered composition head; `residual` (the paper's) is the default. */
export function createComposition(name = 'residual', options: CompositionOptions): Composition {
  const factory = compositions.get(name);
  compositions.checkOptions(name, options);
  return factory(options);
}

/** Registered composition names, sorted. */
export function listCompositions(): string[] {
  return compositions.list();
}
