import type { Encoder } from './encoder';
import { R2plus1d, type R2plus1dOptions } from './models/r2plus1d';
import { Resnet, type ResnetOptions } from './models/resnet';
import { Cnn14, type Cnn14Options } from './models/cnn14';

/** Builds an encoder from options. */
export type EncoderFactory = (options?: Record<string, unknown>) => Encoder;

export interface EncoderRegistration {
  /** The option keys the factory accepts: createEncoder refuses any other, naming it (absent: options are not checked). */
  optionKeys?: readonly string[];
}

const factories = new Map<string, { factory: EncoderFactory } & EncoderRegistration>();

/** Adds (or replaces) an encoder under `name`. */
export function registerEncoder(name: string, factory: EncoderFactory, registration: EncoderRegistration = {}): void {
  if (name.length === 0) throw new Error('registerEncoder: empty name');
  factories.set(name, { factory, ...registration });
}

/** The option keys a registered encoder accepts, or undefined when it did not declare them (or is not registered). */
export function encoderOptionKeys(name: string): readonly string[] | undefined {
  return factories.get(name)?.optionKeys;
}

/** Every key of T, the compiler checking that the list is complete and has no extra key. */
function keysOf<T>(keys: Record<keyof T, true>): string[] {
  return Object.keys(keys);
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
  const entry = factories.get(name);
  if (entry === undefined) throw new Error(`unknown encoder '${name}' (registered: ${listEncoders().join(', ')})`);
  const known = entry.optionKeys;
  const unknown = known === undefined ? [] : Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`encoder '${name}': unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known!.join(', ')})`);
  return entry.factory(options as Record<string, unknown>);
}

const R2PLUS1D_OPTION_KEYS = keysOf<BuiltinEncoders['r2plus1d-18']['options']>({ numClasses: true, widthMultiplier: true, frames: true, inputSize: true, seed: true });
for (const depth of [18, 34]) {
  registerEncoder(`r2plus1d-${depth}`, (options = {}) => new R2plus1d(`r2plus1d-${depth}`, { ...(options as R2plus1dOptions), depth }), { optionKeys: R2PLUS1D_OPTION_KEYS });
}

const RESNET_OPTION_KEYS = keysOf<BuiltinEncoders['resnet18']['options']>({ numClasses: true, widthMultiplier: true, inputSize: true, normalize: true, seed: true });
for (const depth of [18, 34]) {
  registerEncoder(`resnet${depth}`, (options = {}) => new Resnet(`resnet${depth}`, { ...(options as ResnetOptions), depth }), { optionKeys: RESNET_OPTION_KEYS });
}

const CNN14_OPTION_KEYS = keysOf<Cnn14Options>({
  sampleRate: true, windowSize: true, hopSize: true, melBins: true, fMin: true, fMax: true, embeddingDim: true, numClasses: true, widthMultiplier: true, seed: true,
});
registerEncoder('cnn14', (options = {}) => new Cnn14('cnn14', options as Cnn14Options), { optionKeys: CNN14_OPTION_KEYS });
