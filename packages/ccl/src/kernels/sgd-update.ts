import * as tf from '@tensorflow/tfjs-core';
import { SGD_UPDATE_KERNEL, sgdUpdateValues, type SgdUpdateAttrs } from '@ccl/distill';
import { sgdSimdFor, type SgdSimdExports, type WasmMemory } from './sgd-update-simd';

/**
 * The fused SGD update (@ccl/distill's SGD_UPDATE_KERNEL) for the backends whose buffers are plain
 * float32 arrays in this process: wasm (views of its heap) and cpu (its typed arrays). One kernel call
 * updates a whole optimiser group in one pass per variable, with no temporaries: the op path runs 4-6 tfjs
 * ops per variable (~370 for r2plus1d-18), each with its own output buffer and ~30-60 us of overhead.
 */

/** Float32 buffers of one backend. */
interface FloatBuffers {
  /**
   * The values of a buffer, as a view where possible (inputs are only read; outputs are written). Take
   * views after every allocation: growing the WASM heap detaches earlier views.
   */
  view(info: tf.TensorInfo): Float32Array;
  allocate(shapes: number[][]): tf.TensorInfo[];
  /** the WebAssembly SIMD loops on the backend's memory, with each buffer's byte offset (wasm only) */
  simd?: { loops: SgdSimdExports; offset(info: tf.TensorInfo): number };
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  /** the Emscripten module: `wasmMemory` in the threaded build, `asm.memory` in the others */
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
}

interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
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
              if (data === undefined) throw new Error('kernels/sgd-update.ts: a buffer of the update is not on the wasm backend');
              return data.memoryOffset;
            },
          },
    view: (info) => backend.typedArrayFromHeap(info),
    allocate: (shapes) => shapes.map((s) => backend.makeOutput(s, 'float32')),
  };
}

function cpuBuffers(backend: CpuBackend): FloatBuffers {
  return {
    view: (info) => {
      const values = backend.data.get(info.dataId).values;
      if (!(values instanceof Float32Array)) throw new Error(`kernels/sgd-update.ts: expected float32 values, got ${Object.prototype.toString.call(values)}`);
      return values;
    },
    allocate: (shapes) => shapes.map((s) => backend.makeTensorInfo(s, 'float32', new Float32Array(tf.util.sizeFromShape(s)))),
  };
}

/** The kernel body, on any FloatBuffers. */
function sgdUpdate(buffers: FloatBuffers, inputs: tf.NamedTensorInfoMap, attrs: SgdUpdateAttrs): tf.TensorInfo[] {
  const { count, hasBuffers } = attrs;
  const withMomentum = attrs.momentum !== 0;
  const params: tf.TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const p = inputs[`p${i}`];
    const g = inputs[`g${i}`];
    const b = hasBuffers ? inputs[`b${i}`] : undefined;
    if (p === undefined || g === undefined || (hasBuffers && b === undefined)) throw new Error(`kernels/sgd-update.ts: input ${i} of ${count} is missing`);
    for (const t of [p, g, ...(b ? [b] : [])]) {
      if (t.dtype !== 'float32') throw new Error(`kernels/sgd-update.ts: input ${i} has dtype ${t.dtype}, expected float32`);
      if (!tf.util.arraysEqual(t.shape, p.shape)) throw new Error(`kernels/sgd-update.ts: input ${i}: shapes [${p.shape}] and [${t.shape}] differ`);
    }
    params.push(p);
  }
  const shapes = params.map((p) => p.shape);
  const infos = buffers.allocate(withMomentum ? [...shapes, ...shapes] : shapes);
  const simd = hasBuffers && withMomentum ? buffers.simd : undefined;
  if (simd !== undefined) {
    const loop = simd.loops[`${attrs.nesterov ? 'nesterov' : 'momentum'}${attrs.weightDecay !== 0 ? 'Decay' : ''}` as keyof SgdSimdExports];
    const { offset } = simd;
    params.forEach((p, i) => {
      loop(offset(p), offset(inputs[`g${i}`]!), offset(inputs[`b${i}`]!), offset(infos[i]!), offset(infos[count + i]!), tf.util.sizeFromShape(p.shape), attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay);
    });
    return infos;
  }
  const { view } = buffers;
  params.forEach((p, i) => {
    sgdUpdateValues(view(p), view(inputs[`g${i}`]!), hasBuffers ? view(inputs[`b${i}`]!) : null, view(infos[i]!), withMomentum ? view(infos[count + i]!) : null, attrs);
  });
  return infos;
}

const BACKEND_BUFFERS: Record<string, (backend: unknown) => FloatBuffers> = {
  wasm: (backend) => wasmBuffers(backend as WasmHeapBackend),
  cpu: (backend) => cpuBuffers(backend as CpuBackend),
};

/** Backends this kernel can be registered for. */
export const SGD_UPDATE_BACKENDS = Object.keys(BACKEND_BUFFERS);

/**
 * Registers SGD_UPDATE_KERNEL for `backendName` (wasm or cpu). Idempotent.
 * @returns whether this call registered it
 */
export function registerSgdUpdateKernel(backendName: string): boolean {
  const buffersFor = BACKEND_BUFFERS[backendName];
  if (buffersFor === undefined) throw new Error(`kernels/sgd-update.ts: no fused SGD update for backend '${backendName}' (have: ${SGD_UPDATE_BACKENDS.join(', ')})`);
  if (tf.getKernel(SGD_UPDATE_KERNEL, backendName) !== undefined) return false;
  tf.registerKernel({
    kernelName: SGD_UPDATE_KERNEL,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => sgdUpdate(buffersFor(backend), inputs, attrs as unknown as SgdUpdateAttrs),
  });
  return true;
}
