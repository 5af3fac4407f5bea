import type { Encoder } from './encoder';
import { R2plus1d, type R2plus1dOptions } from './models/r2plus1d';
import { Resnet, type ResnetOptions } from './models/resnet';
import { Cnn14, type Cnn14Options } from './models/cnn14';

/** Builds an encoder from options. */
export type EncoderFactory = (options?: Record<string, unknown>) => Encoder;

const factories = new Map<string, EncoderFactory>();

/** Adds (or replaces) an encoder under `name`. */
export function registerEncoder(name: string, factory: EncoderFactory): void {
  if (name.length === 0) throw new Error('registerEncoder: empty name');
  factories.set(name, factory);
}

/** Registered encoder names, sorted. */
export function listEncoders(): string[] {
  return [...factories.keys()].sort();
}

/** Options and result type of the built-in encoders (typed overload of createEncoder). */
export interface BuiltinEncoders {
  'r2plus1d-18': { options: Omit<R2plus1dOptions, 'depth'>; encoder: R2plus1d };
  'r2plus1d-34': { options: Omit<R2plus1dOptions, 'depth'>; encoder: R2plus1d };
  resnet18: { options: Omit<ResnetOptions, 'depth'>; encoder: Resnet };
  resnet34: { options: Omit<ResnetOptions, 'depth'>; encoder: Resnet };
  cnn14: { options: Cnn14Options; encoder: Cnn14 };
}

/** Creates a registered encoder, e.g. `createEncoder('r2plus1d-18', { numClasses: 51 })`. */
export function createEncoder<K extends keyof BuiltinEncoders>(name: K, options?: BuiltinEncoders[K]['options']): BuiltinEncoders[K]['encoder'];
export function createEncoder(name: string, options?: Record<string, unknown>): Encoder;
export function createEncoder(name: string, options: object = {}): Encoder {
  const factory = factories.get(name);
  if (factory === undefined) throw new Error(`unknown encoder '${name}' (registered: ${listEncoders().join(', ')})`);
  return factory(options as Record<string, unknown>);
}

for (const depth of [18, 34]) {
  registerEncoder(`r2plus1d-${depth}`, (options = {}) => new R2plus1d(`r2plus1d-${depth}`, { ...(options as R2plus1dOptions), depth }));
}

for (const depth of [18, 34]) {
  registerEncoder(`resnet${depth}`, (options = {}) => new Resnet(`resnet${depth}`, { ...(options as ResnetOptions), depth }));
}

registerEncoder('cnn14', (options = {}) => new Cnn14('cnn14', options as Cnn14Options));
