/**
 * @ccl/backends: the tensor backend picker that only the application runs, and the kernels ccl registers
 * per tfjs backend (the WASM training kernels, the fused SGD update on wasm and cpu), one table per backend
 * as tfjs's own backend packages register theirs.
 */
export { pickBackend, formatBackendLine, formatBackendReport, isBackendName } from './picker/picker';
export type { BackendReport, SkippedBackend, PickBackendOptions } from './picker/picker';
export { BACKEND_ORDER, CANDIDATES, wasmBinaryDir } from './picker/candidates';
export type { BackendName, BackendCandidate, Env, PrepareContext } from './picker/candidates';
export { isSoftwareAdapter, formatAdapter, probeWebGpuAdapter } from './picker/webgpu-adapter';
export type { WebGpuAdapterInfo } from './picker/webgpu-adapter';
export { registerKernels } from './kernels/register-kernels';
export { WASM_BACKEND, CPU_BACKEND } from './kernels/backend-names';
export { WASM_KERNELS, WASM_TRAINING_KERNELS } from './kernels/wasm/table';
export { CPU_KERNELS } from './kernels/cpu/table';
export { configureWasmThreads, MAX_WASM_THREADS } from './kernels/wasm/wasm-threads';
