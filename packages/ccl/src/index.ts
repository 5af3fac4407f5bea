/**
 * @ccl/toolkit (the `ccl` command) — the umbrella package. Each @ccl package is re-exported as a namespace (their names may overlap),
 * plus the tensor backend picker (@ccl/backends) that only the application (never a library) runs.
 */
export * as data from '@ccl/data';
export * as encoders from '@ccl/encoders';
export * as compose from '@ccl/compose';
export * as losses from '@ccl/losses';
export * as distill from '@ccl/distill';
export * as evaluation from '@ccl/eval';
export * as experiments from '@ccl/experiments';
export * as queue from '@ccl/queue';
export {
  pickBackend,
  formatBackendLine,
  formatBackendReport,
  isBackendName,
  BACKEND_ORDER,
  CANDIDATES,
  wasmBinaryDir,
  registerKernels,
  WASM_KERNELS,
  WASM_TRAINING_KERNELS,
  CPU_KERNELS,
  configureWasmThreads,
  MAX_WASM_THREADS,
} from '@ccl/backends';
export type { BackendReport, SkippedBackend, PickBackendOptions, BackendName, BackendCandidate } from '@ccl/backends';
