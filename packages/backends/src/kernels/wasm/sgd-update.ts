import type * as tf from '@tensorflow/tfjs-core';
import { SGD_UPDATE_KERNEL } from '@ccl/base';
import { WASM_BACKEND } from '../backend-names';
import { sgdUpdateKernelFunc, type FloatBuffers } from '../sgd-update';
import { sgdSimdFor, type WasmMemory } from './sgd-update-simd';

/** The fused SGD update on the wasm backend: views of its heap, and its WebAssembly SIMD loops where they run. */

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  /** the Emscripten module: `wasmMemory` in the threaded build, `asm.memory` in the others */
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
}

function wasmBuffers(backend: WasmHeapBackend): FloatBuffers {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  const loops = memory === undefined ? null : sgdSimdFor(memory);
  return {
    simd:
      loops === null
        ? undefined
        : {
            loops,
            offset: (info) => {
              const data = backend.dataIdMap.get(info.dataId);
              if (data === undefined) throw new Error('kernels/wasm/sgd-update.ts: a buffer of the update is not on the wasm backend');
              return data.memoryOffset;
            },
          },
    view: (info) => backend.typedArrayFromHeap(info),
    allocate: (shapes) => shapes.map((s) => backend.makeOutput(s, 'float32')),
  };
}

export const wasmSgdUpdate: tf.KernelConfig = {
  kernelName: SGD_UPDATE_KERNEL,
  backendName: WASM_BACKEND,
  kernelFunc: sgdUpdateKernelFunc((backend) => wasmBuffers(backend as WasmHeapBackend)),
};
