export { pickBackend, formatBackendReport, isBackendName } from './picker';
export type { BackendReport, SkippedBackend, PickBackendOptions } from './picker';
export { BACKEND_ORDER, CANDIDATES, wasmBinaryDir } from './candidates';
export type { BackendName, BackendCandidate } from './candidates';
