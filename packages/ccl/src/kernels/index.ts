/**
 * Training kernels for tfjs backends that lack them or run them slowly (issue 9): see register.ts for
 * what is registered and why, docs/performance.md for the measurements.
 */
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, WASM_BACKEND, type TrainingKernel } from './register';
export { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter';
export { conv2dBackpropInputViaConv } from './conv2d-backprop-input';
export { configureWasmThreads, MAX_WASM_THREADS } from './wasm-threads';
export { registerSgdUpdateKernel, SGD_UPDATE_BACKENDS } from './sgd-update';
