import type { Encoder } from './encoder';
import { encoderRegistry } from './registry';
// The built-in encoders register themselves when their modules load.
import './models/r2plus1d';
import './models/resnet';
import './models/cnn14';
import type { R2plus1d, R2plus1dOptions } from './models/r2plus1d';
import type { Resnet, ResnetOptions } from './models/resnet';
import type { Cnn14, Cnn14Options } from './models/cnn14';

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
  const factory = encoderRegistry.get(name);
  encoderRegistry.checkOptions(name, options);
  return factory(options as Record<string, unknown>);
}
