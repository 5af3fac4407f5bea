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

/** Creates a registered encoder, e.g. `createEncoder('r2plus1d-18', { numClasses: 51 })`. */
export function createEncoder(name: string, options: Record<string, unknown> = {}): Encoder {
  const factory = factories.get(name);
  if (factory === undefined) throw new Error(`unknown encoder '${name}' (registered: ${listEncoders().join(', ')})`);
  return factory(options);
}

for (const depth of [18, 34]) {
  registerEncoder(`r2plus1d-${depth}`, (options = {}) => new R2plus1d(`r2plus1d-${depth}`, { ...(options as R2plus1dOptions), depth }));
}

for (const depth of [18, 34]) {
  registerEncoder(`resnet${depth}`, (options = {}) => new Resnet(`resnet${depth}`, { ...(options as ResnetOptions), depth }));
}

registerEncoder('cnn14', (options = {}) => new Cnn14('cnn14', options as Cnn14Options));
