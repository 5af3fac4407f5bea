/**
 * The tfjs backends this package registers kernels for, by the name each registers under in tfjs-core's
 * engine. The kernel names themselves are tfjs-core's constants (tf.Conv2DBackpropFilter, ...) and, for
 * ccl's own kernel contracts, @ccl/base's (SGD_UPDATE_KERNEL).
 */
export const WASM_BACKEND = 'wasm';
export const CPU_BACKEND = 'cpu';
