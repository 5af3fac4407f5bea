import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input';
import { castSharingData, identitySharingData } from './shared-data';

/** The backend the training kernels of this folder are registered for. */
export const WASM_BACKEND = 'wasm';

type CompositeKernel = (
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
  backendName: string,
  /** the backend's own kernel this one replaces (undefined for a missing kernel) */
  builtIn: tf.KernelFunc | undefined,
) => tf.TensorInfo;

/** One training kernel: what it replaces or adds, and why. */
export interface TrainingKernel {
  kernelName: string;
  /** 'missing': the backend has none; 'replaces': the backend's own is correct but far slower. */
  reason: 'missing' | 'replaces';
  impl: CompositeKernel;
}

/**
 * Kernels a training step of the encoders needs on the WASM backend of tfjs 4.22 (found by profiling one
 * r2plus1d-18 training step on the cpu backend and comparing with the WASM kernel registry):
 * - Conv2DBackpropFilter: not registered on WASM, so no conv2d can train there.
 * - Conv2DBackpropInput: registered, but a direct loop (~1-2 GFLOP/s); as a forward XNNPACK conv it
 *   runs ~10x faster (docs/performance.md).
 * - Identity and Cast: the backend's own copy the whole buffer, and the engine runs them for every tensor it
 *   saves for a gradient (clone) and for every such gradient; these share the buffer (shared-data.ts).
 */
export const WASM_TRAINING_KERNELS: readonly TrainingKernel[] = [
  { kernelName: tf.Conv2DBackpropFilter, reason: 'missing', impl: conv2dBackpropFilterViaConv },
  { kernelName: tf.Conv2DBackpropInput, reason: 'replaces', impl: conv2dBackpropInputViaConv },
  { kernelName: tf.Identity, reason: 'replaces', impl: (args, _name, builtIn) => identitySharingData(args, builtIn) },
  { kernelName: tf.Cast, reason: 'replaces', impl: (args, _name, builtIn) => castSharingData(args, builtIn) },
];

/** Kernel functions registered by this module, to recognise them on a second call. */
const registered = new WeakSet<tf.KernelFunc>();

/**
 * Registers the training kernels of WASM_TRAINING_KERNELS for the 'wasm' backend (replacing the slow
 * built-in ones). Idempotent: kernels this module already registered are left alone.
 *
 * Call it AFTER `@tensorflow/tfjs-backend-wasm` has been imported (importing it registers its own kernels
 * and silently overwrites any registered before) and before the first gradient is computed; before or
 * after tf.setBackend('wasm') both work.
 *
 * @returns names of the kernels registered by this call (empty on a repeated call)
 * @throws when the WASM backend package has not been loaded yet
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.findBackendFactory(WASM_BACKEND) === null || tf.findBackendFactory(WASM_BACKEND) === undefined) {
    throw new Error(
      "kernels/register.ts: registerWasmTrainingKernels() needs '@tensorflow/tfjs-backend-wasm' loaded first: importing it registers its own kernels and would overwrite these",
    );
  }
  const names: string[] = [];
  for (const kernel of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(kernel.kernelName, WASM_BACKEND);
    if (existing !== undefined && registered.has(existing.kernelFunc)) continue;
    const builtIn = existing?.kernelFunc;
    if (existing !== undefined) tf.unregisterKernel(kernel.kernelName, WASM_BACKEND);
    const kernelFunc: tf.KernelFunc = (args) => kernel.impl(args, WASM_BACKEND, builtIn);
    registered.add(kernelFunc);
    tf.registerKernel({ kernelName: kernel.kernelName, backendName: WASM_BACKEND, kernelFunc });
    names.push(kernel.kernelName);
  }
  return names;
}
