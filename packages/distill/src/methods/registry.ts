import { createRegistry } from '@ccl/base';
import type { Method, MethodContext, MethodFactory } from './method';

/** The training methods registered by name (baseline.ts, ccl.ts, kd.ts register theirs beside their definitions). */
const methods = createRegistry<MethodFactory>('method');

/** Losses of @ccl/losses's registry that are no training method of their own, and why. */
const NOT_METHODS: Readonly<Record<string, string>> = {
  nce: "it is a term of CCL's objective (method 'ccl')",
  jsd: "it is a term of CCL's objective (method 'ccl')",
  ce: "every method already has it (method 'baseline' is the cross-entropy alone)",
  kd:
    'Hinton KD distils teacher logits over the video classes, and no teacher here gives them (the audio and ' +
    'image teachers are trained on other label spaces); use a feature-based KD baseline',
};

/** Why `name` (a loss of @ccl/losses) is refused as a method, or undefined when it is not refused. */
export function whyNotMethod(name: string): string | undefined {
  return Object.hasOwn(NOT_METHODS, name) ? NOT_METHODS[name] : undefined;
}

/** Adds a training method (an error if the name is taken, unless `override`). */
export function registerMethod(name: string, factory: MethodFactory, options: { override?: boolean } = {}): void {
  methods.register(name, factory, options);
}

/** Every registered method name, sorted. */
export function listMethods(): string[] {
  return methods.list().sort();
}

/** Throws, saying why and listing every valid method, unless `name` is in `listMethods()`. */
export function checkMethodName(name: string): void {
  if (methods.has(name)) return;
  const why = whyNotMethod(name);
  throw new Error(
    `${why === undefined ? `unknown method '${name}'` : `method '${name}' is not supported: ${why}`}; valid methods: ${listMethods().join(', ')}`,
  );
}

/** A registered method, built for `ctx`. */
export function createMethod(name: string, ctx: MethodContext): Method {
  checkMethodName(name);
  return methods.get(name)(ctx);
}
