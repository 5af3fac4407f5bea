import * as tf from '@tensorflow/tfjs-core';

/**
 * The backends' own kernels that a table replaced, by backend and kernel name: a replacement that handles
 * only some cases (Identity and Cast on wasm) hands the others back to the kernel it replaced.
 */
const displaced = new Map<string, Map<string, tf.KernelFunc>>();

/** The kernel that `registerKernels` replaced for (kernelName, backendName), if it replaced one. */
export function displacedKernel(kernelName: string, backendName: string): tf.KernelFunc | undefined {
  return displaced.get(backendName)?.get(kernelName);
}

/**
 * Registers a kernel table (tfjs `KernelConfig`s, as a tfjs backend package registers its own), replacing
 * a kernel the backend already has (kept, for `displacedKernel`). Idempotent: a kernel of the table that is
 * already registered is left alone.
 *
 * Call it AFTER the backend's package has been imported (importing it registers its own kernels and
 * silently overwrites any registered before) and before the first kernel of the table runs; before or
 * after tf.setBackend(...) both work.
 *
 * @returns names of the kernels registered by this call (empty on a repeated call)
 * @throws when a backend of the table has not been registered yet (its package is not loaded)
 */
export function registerKernels(table: readonly tf.KernelConfig[]): string[] {
  for (const backendName of new Set(table.map((k) => k.backendName))) {
    if (tf.findBackendFactory(backendName) === null || tf.findBackendFactory(backendName) === undefined) {
      throw new Error(
        `kernels/register-kernels.ts: registerKernels() needs the '${backendName}' backend loaded first: importing its package registers its own kernels and would overwrite these`,
      );
    }
  }
  const names: string[] = [];
  for (const config of table) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      const forBackend = displaced.get(config.backendName) ?? new Map<string, tf.KernelFunc>();
      forBackend.set(config.kernelName, existing.kernelFunc);
      displaced.set(config.backendName, forBackend);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
    names.push(config.kernelName);
  }
  return names;
}
