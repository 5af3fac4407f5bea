// Registers tfjs-core's gradient functions (tfjs-core's CJS bundle has none): this package trains.
import '@ccl/base/gradients';
export type { Labels } from './labels';
export { multiClassNce } from './nce';
export type { MultiClassNceOptions, NoNegativesPolicy } from './nce';
export { jsdLoss } from './jsd';
export type { JsdOptions } from './jsd';
export { crossEntropy } from './cross-entropy';
export type { Loss, LossFactory, LossInputs } from './loss';
export { statelessLoss } from './loss';
export type { RegisterLossOptions } from './loss-registry';
export { createLoss, hasLoss, listLosses, lossOptionKeys, registerLoss } from './create-loss';
export type { CrossEntropyLossOptions, JsdLossOptions, LossInstance, LossInstanceMap, LossOptionsMap, NceLossOptions } from './create-loss';
export {
  LinearMap,
  EmbedHead,
  ContrastMemory,
  createHintonKdLoss,
  createFitNetLoss,
  createPktLoss,
  createCorLoss,
  createRkdLoss,
  createCrdLoss,
  createCmcLoss,
  createIfdLoss,
  createAtLoss,
  createSpLoss,
  createVidLoss,
} from './kd';
export type {
  KdCommonOptions,
  ContrastMemoryOptions,
  ContrastOptions,
  HintonKdOptions,
  FitNetOptions,
  FitNetLoss,
  PktOptions,
  CorOptions,
  CorKernel,
  RkdOptions,
  CrdOptions,
  CrdLoss,
  CmcOptions,
  CmcLoss,
  IfdOptions,
  AtOptions,
  SpOptions,
  VidOptions,
  VidLoss,
  VidRegressor,
} from './kd';
