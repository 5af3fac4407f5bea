import { createRegistry } from '@ccl/base';
import type { Encoder } from './encoder';

/** Builds an encoder from options. */
export type EncoderFactory = (options?: Record<string, unknown>) => Encoder;

export interface EncoderRegistration {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the factory accepts: createEncoder refuses any other, naming it (absent: options are not checked). */
  optionKeys?: readonly string[];
}

/**
 * The encoders by name. The built-ins register themselves beside their definitions (models/*.ts);
 * `createEncoder` (create-encoder.ts) builds them.
 */
export const encoderRegistry = createRegistry<EncoderFactory>('encoder');

/** Adds an encoder under `name`; throws when the name is taken, unless `{ override: true }`. */
export function registerEncoder(name: string, factory: EncoderFactory, registration: EncoderRegistration = {}): void {
  encoderRegistry.register(name, factory, registration);
}

/** The option keys a registered encoder accepts, or undefined when it did not declare them (or is not registered). */
export function encoderOptionKeys(name: string): readonly string[] | undefined {
  return encoderRegistry.optionKeys(name);
}

/** Registered encoder names, sorted. */
export function listEncoders(): string[] {
  return encoderRegistry.list();
}
