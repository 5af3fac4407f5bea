import * as tf from '@tensorflow/tfjs-core';
import { WASM_BACKEND } from '../backend-names';
import { displacedKernel } from '../register-kernels';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input';
import { castSharingData, identitySharingData } from './shared-data';
import { sgdSimdSupported } from './sgd-update-simd';
import { wasmSgdUpdate } from './sgd-update';

/**
 * Kernels a training step of the encoders needs on the WASM backend of tfjs 4.22 (found by profiling one
 * r2plus1d-18 training step on the cpu backend and comparing with the WASM kernel registry):
 * - Conv2DBackpropFilter: not registered on WASM (missing), so no conv2d can train there.
 * - Conv2DBackpropInput: registered, but a direct loop (~1-2 GFLOP/s); as a forward XNNPACK conv it
 *   runs ~10x faster (replaces the backend's own; docs/performance.md).
 * - Identity and Cast: the backend's own copy the whole buffer, and the engine runs them for every tensor it
 *   saves for a gradient (clone) and for every such gradient; these share the buffer (shared-data.ts) and
 *   hand every other case to the kernel they replace.
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: WASM_BACKEND, kernelFunc: (args) => conv2dBackpropFilterViaConv(args, WASM_BACKEND) },
  { kernelName: tf.Conv2DBackpropInput, backendName: WASM_BACKEND, kernelFunc: (args) => conv2dBackpropInputViaConv(args, WASM_BACKEND) },
  { kernelName: tf.Identity, backendName: WASM_BACKEND, kernelFunc: (args) => identitySharingData(args, displacedKernel(tf.Identity, WASM_BACKEND)) },
  { kernelName: tf.Cast, backendName: WASM_BACKEND, kernelFunc: (args) => castSharingData(args, displacedKernel(tf.Cast, WASM_BACKEND)) },
];

/**
 * What the backend picker registers for the wasm backend: the training kernels, and the fused SGD update
 * where its WebAssembly SIMD loops run (3-4x faster than the optimiser's ops, docs/performance.md section
 * 8). Without SIMD the wasm update is a JavaScript loop over the heap, which the backend's own element-wise
 * kernels beat at full width, so the optimiser's ops stay.
 */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [...WASM_TRAINING_KERNELS, ...(sgdSimdSupported() ? [wasmSgdUpdate] : [])];
