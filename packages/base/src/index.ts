export { SGD_UPDATE_KERNEL, sgdUpdateValues } from './kernels/sgd-update';
export type { SgdUpdateAttrs } from './kernels/sgd-update';
