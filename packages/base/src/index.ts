// Public API of @ccl/base.
export { Registry, createRegistry, keysOf } from './registry';
export type { RegisterOptions, RegistryOptions } from './registry';
