// Public API of @ccl/base.
export { gradientsRegistered } from './gradients';
export { Registry, createRegistry, keysOf } from './registry';
export type { RegisterOptions, RegistryOptions } from './registry';
export { SGD_UPDATE_KERNEL, sgdUpdateValues } from './kernels/sgd-update';
export type { SgdUpdateAttrs } from './kernels/sgd-update';
