import * as tf from '@tensorflow/tfjs-core';

/**
 * Reading tensor values back to JavaScript on every backend. tfjs's synchronous reads (`dataSync`,
 * `arraySync`) work on cpu and wasm, and in a browser's WebGPU (slowly); in Node, WebGPU runs on Dawn's
 * binding, which has no synchronous readback at all (tfjs-backend-webgpu's readSync needs OffscreenCanvas).
 * Code on the training path therefore reads asynchronously, or first brings the values to the host with
 * `toHost` (each backend then keeps a host copy, so a later `dataSync` of the same tensors works).
 */

/**
 * Brings the tensors' values to the host; afterwards their synchronous reads work on every backend. A no-op
 * where synchronous reads already work (cpu, wasm): there it would only copy every tensor once more.
 */
export async function toHost(tensors: readonly tf.Tensor[]): Promise<void> {
  if (syncReadback()) return;
  await Promise.all(tensors.map((t) => t.data()));
}

/**
 * Whether the active backend can read a device-resident tensor synchronously (false for WebGPU outside a
 * browser). Checks that are only affordable as synchronous reads (e.g. a loss asserting its inputs are
 * finite) run where this is true; elsewhere the Trainer's non-finite-loss guard stands in for them.
 */
export function syncReadback(): boolean {
  return !(tf.getBackend() === 'webgpu' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined');
}
