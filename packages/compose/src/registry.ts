import type { Composition, CompositionOptions } from './head';
import { GatedComposition, ResidualComposition } from './residual';

export type CompositionFactory = (options: CompositionOptions) => Composition;

const registry = new Map<string, CompositionFactory>();

/** Adds a composition function under `name` (an error if taken, unless `override`). */
export function registerComposition(name: string, factory: CompositionFactory, options: { override?: boolean } = {}): void {
  if (registry.has(name) && !options.override) throw new Error(`composition '${name}' is already registered (pass { override: true } to replace it)`);
  registry.set(name, factory);
}

/** Builds a registered composition head; `residual` (the paper's) is the default. */
export function createComposition(name = 'residual', options: CompositionOptions): Composition {
  const factory = registry.get(name);
  if (!factory) throw new Error(`unknown composition '${name}'; registered: ${listCompositions().join(', ')}`);
  return factory(options);
}

export function listCompositions(): string[] {
  return [...registry.keys()].sort();
}

registerComposition('residual', (o) => new ResidualComposition(o));
registerComposition('gated', (o) => new GatedComposition(o));
