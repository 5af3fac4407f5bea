import { createRegistry } from '@ccl/base';
import { listLosses } from '@ccl/losses';
import type { Method, MethodContext, MethodFactory } from './method';

/** The training methods registered by name (baseline.ts, ccl.ts register theirs beside their definitions). */
const methods = createRegistry<MethodFactory>('method');
let kdFactory: ((lossName: string) => MethodFactory) | null = null;

/** Losses of @ccl/losses's registry that are no training method of their own, and why. */
const NOT_METHODS: Readonly<Record<string, string>> = {
  nce: "it is a term of CCL's objective (method 'ccl')",
  jsd: "it is a term of CCL's objective (method 'ccl')",
  ce: "every method already has it (method 'baseline' is the cross-entropy alone)",
  kd:
    'Hinton KD distils teacher logits over the video classes, and no teacher here gives them (the audio and ' +
    'image teachers are trained on other label spaces); use a feature-based KD baseline',
};

/** Adds a training method (an error if the name is taken, unless `override`). */
export function registerMethod(name: string, factory: MethodFactory, options: { override?: boolean } = {}): void {
  methods.register(name, factory, options);
}

/** How any loss of @ccl/losses's registry becomes a KD method (set by methods/kd.ts). */
export function setKdMethodFactory(f: (lossName: string) => MethodFactory): void {
  kdFactory = f;
}

/** Every accepted method name, sorted: the registered methods and the KD baselines of @ccl/losses's registry. */
export function listMethods(): string[] {
  const kd = kdFactory === null ? [] : listLosses().filter((n) => !Object.hasOwn(NOT_METHODS, n));
  return [...new Set([...methods.list(), ...kd])].sort();
}

/** Throws, saying why and listing every valid method, unless `name` is in `listMethods()`. */
export function checkMethodName(name: string): void {
  const valid = listMethods();
  if (valid.includes(name)) return;
  const why = Object.hasOwn(NOT_METHODS, name) ? `method '${name}' is not supported: ${NOT_METHODS[name]}` : `unknown method '${name}'`;
  throw new Error(`${why}; valid methods: ${valid.join(', ')}`);
}

/** A method of `listMethods()` (a registered one, else a KD baseline built from its loss). */
export function createMethod(name: string, ctx: MethodContext): Method {
  checkMethodName(name);
  return (methods.has(name) ? methods.get(name) : kdFactory!(name))(ctx);
}
