// Public API of the KD baselines. Internal helpers (input checks, the shared CRD/CMC state) stay private.
export type { KdCommonOptions } from './common';
export { LinearMap } from './linear';
export { EmbedHead } from './embed-head';
export { ContrastMemory, type ContrastMemoryOptions } from './memory-bank';
export type { ContrastOptions } from './contrast-setup';
export { createHintonKdLoss, type HintonKdOptions } from './hinton-kd';
export { createFitNetLoss, type FitNetOptions, type FitNetLoss } from './fitnet';
export { createPktLoss, type PktOptions } from './pkt';
export { createCorLoss, type CorOptions, type CorKernel } from './cor';
export { createRkdLoss, type RkdOptions } from './rkd';
export { createCrdLoss, type CrdOptions, type CrdLoss } from './crd';
export { createCmcLoss, type CmcOptions, type CmcLoss } from './cmc';
export { createIfdLoss, type IfdOptions } from './ifd';
export { createAtLoss, type AtOptions } from './at';
export { createSpLoss, type SpOptions } from './sp';
export { createVidLoss, type VidOptions, type VidLoss, type VidRegressor } from './vid';
