import type { Composition, CompositionOptions } from './head';
import { GatedComposition, ResidualComposition } from './residual';

export type CompositionFactory = (options: CompositionOptions) => Composition;

export interface CompositionRegistration {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the factory accepts: createComposition refuses any other, naming it (absent: not checked). */
  optionKeys?: readonly string[];
}

const registry = new Map<string, { factory: CompositionFactory; optionKeys?: readonly string[] }>();

/** Adds a composition function under `name` (an error if taken, unless `override`). */
export function registerComposition(name: string, factory: CompositionFactory, options: CompositionRegistration = {}): void {
  if (registry.has(name) && !options.override) throw new Error(`composition '${name}' is already registered (pass { override: true } to replace it)`);
  registry.set(name, { factory, optionKeys: options.optionKeys });
}

/** The option keys a registered composition accepts, or undefined when it did not declare them (or is not registered). */
export function compositionOptionKeys(name: string): readonly string[] | undefined {
  return registry.get(name)?.optionKeys;
}

/** Builds a registered composition head; `residual` (the paper's) is the default. */
export function createComposition(name = 'residual', options: CompositionOptions): Composition {
  const entry = registry.get(name);
  if (!entry) throw new Error(`unknown composition '${name}'; registered: ${listCompositions().join(', ')}`);
  const known = entry.optionKeys;
  const unknown = known === undefined ? [] : Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`composition '${name}': unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known!.join(', ')})`);
  return entry.factory(options);
}

export function listCompositions(): string[] {
  return [...registry.keys()].sort();
}

/** The keys of CompositionOptions, the compiler checking that the list is complete and exact. */
const OPTION_KEYS = Object.keys({ teacherDim: true, studentDim: true, numClasses: true, normalize: true, seed: true } satisfies Record<keyof CompositionOptions, true>);

registerComposition('residual', (o) => new ResidualComposition(o), { optionKeys: OPTION_KEYS });
registerComposition('gated', (o) => new GatedComposition(o), { optionKeys: OPTION_KEYS });
