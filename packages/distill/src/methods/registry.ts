import { hasLoss } from '@ccl/losses';
import type { Method, MethodContext, MethodFactory } from './method';

const methods = new Map<string, MethodFactory>();
let kdFactory: ((lossName: string) => MethodFactory) | null = null;

/** Adds a training method (an error if the name is taken, unless `override`). */
export function registerMethod(name: string, factory: MethodFactory, options: { override?: boolean } = {}): void {
  if (methods.has(name) && !options.override) throw new Error(`method '${name}' is already registered`);
  methods.set(name, factory);
}

/** How any loss of @ccl/losses's registry becomes a KD method (set by methods/kd.ts). */
export function setKdMethodFactory(f: (lossName: string) => MethodFactory): void {
  kdFactory = f;
}

/** A registered method, or a KD baseline for any name in @ccl/losses's registry. */
export function createMethod(name: string, ctx: MethodContext): Method {
  const f = methods.get(name);
  if (f) return f(ctx);
  if (kdFactory && hasLoss(name) && !['nce', 'jsd', 'ce'].includes(name)) return kdFactory(name)(ctx);
  throw new Error(`unknown method '${name}'; known: ${listMethods().join(', ')}`);
}

/** Registered methods and the KD baselines available through the loss registry. */
export function listMethods(): string[] {
  return [...methods.keys()].sort();
}
