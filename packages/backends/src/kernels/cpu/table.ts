import type * as tf from '@tensorflow/tfjs-core';
import { cpuSgdUpdate } from './sgd-update';

/**
 * What the backend picker registers for the cpu backend: the fused SGD update, ~10x faster there than
 * the optimiser's ops (a JavaScript loop over the backend's arrays; docs/performance.md section 8).
 */
export const CPU_KERNELS: readonly tf.KernelConfig[] = [cpuSgdUpdate];
