// Registers tfjs-core's gradient functions (tfjs-core's CJS bundle has none): this package trains.
import '@ccl/base/gradients';
export * from './labels';
export * from './nce';
export * from './jsd';
export * from './cross-entropy';
export type { Loss, LossFactory, LossInputs } from './loss';
export { statelessLoss } from './loss';
export type { RegisterLossOptions } from './loss-registry';
export { createLoss, hasLoss, listLosses, lossOptionKeys, registerLoss } from './registry';
export type { CrossEntropyLossOptions, JsdLossOptions, LossInstance, LossInstanceMap, LossOptionsMap, NceLossOptions } from './registry';
export * from './kd';
