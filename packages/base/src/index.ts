// Public API of @ccl/base.
export { Registry, createRegistry, keysOf } from './registry';
export type { RegisterOptions, RegistryOptions } from './registry';
export { SGD_UPDATE_KERNEL, sgdUpdateValues } from './kernels/sgd-update';
export type { SgdUpdateAttrs } from './kernels/sgd-update';
export { conv2dFilterGradAsForwardConv, TFJS_FILTER_GRAD_PRIMITIVES } from './kernels/conv2d-filter-grad';
export type { FilterGradPrimitives, FilterGradGeometry } from './kernels/conv2d-filter-grad';
export { createRng, mulberry32, keyedRng, hashInts, mixSeed, shuffled, permutation, uniformArray } from './rng';
export type { Rng, ForkableRng } from './rng';
export { Linear } from './linear';
export { l2NormalizeRows } from './normalize';
export type { LinearInit, LinearParams, LinearParameterRequest } from './linear';
export { loadStateDict, matchStateDict, snapshotVariables } from './state-dict';
export type { StateDict, StateDictMatch, ShapeMismatch, LoadStateDictOptions } from './state-dict';
export { toHost, syncReadback } from './readback';
