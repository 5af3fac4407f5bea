/**
 * ccl — the umbrella package. Each @ccl package is re-exported as a namespace (their names may overlap),
 * plus the tensor backend picker that only the application (never a library) runs.
 */
export * as data from '@ccl/data';
export * as encoders from '@ccl/encoders';
export * as compose from '@ccl/compose';
export * as losses from '@ccl/losses';
export * as distill from '@ccl/distill';
export * as evaluation from '@ccl/eval';
export * as experiments from '@ccl/experiments';
export * from './backend';
export { registerWasmTrainingKernels, configureWasmThreads, MAX_WASM_THREADS, WASM_TRAINING_KERNELS, registerSgdUpdateKernel } from './kernels';
