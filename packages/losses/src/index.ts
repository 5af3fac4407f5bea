// Registers tfjs-core's gradient functions (tfjs-core's CJS bundle has none): this package trains.
import '@ccl/base';
export * from './labels';
export * from './nce';
export * from './jsd';
export * from './cross-entropy';
export * from './registry';
export * from './kd';
