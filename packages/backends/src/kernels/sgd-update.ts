import * as tf from '@tensorflow/tfjs-core';
import { sgdUpdateValues, type SgdUpdateAttrs } from '@ccl/base';
import type { SgdSimdExports } from './wasm/sgd-update-simd';

/**
 * The body of the fused SGD update (@ccl/base's SGD_UPDATE_KERNEL) for the backends whose buffers are
 * plain float32 arrays in this process: wasm (views of its heap, wasm/sgd-update.ts) and cpu (its typed
 * arrays, cpu/sgd-update.ts). One kernel call updates a whole optimiser group in one pass per variable,
 * with no temporaries: the op path runs 4-6 tfjs ops per variable (~370 for r2plus1d-18), each with its
 * own output buffer and ~30-60 us of overhead.
 */

/** Float32 buffers of one backend. */
export interface FloatBuffers {
  /**
   * The values of a buffer, as a view where possible (inputs are only read; outputs are written). Take
   * views after every allocation: growing the WASM heap detaches earlier views.
   */
  view(info: tf.TensorInfo): Float32Array;
  allocate(shapes: number[][]): tf.TensorInfo[];
  /** the WebAssembly SIMD loops on the backend's memory, with each buffer's byte offset (wasm only) */
  simd?: { loops: SgdSimdExports; offset(info: tf.TensorInfo): number };
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
      loop(
        offset(p),
        offset(inputs[`g${i}`]!),
        offset(inputs[`b${i}`]!),
        offset(infos[i]!),
        offset(infos[count + i]!),
        tf.util.sizeFromShape(p.shape),
        attrs.lr,
        attrs.momentum,
        1 - attrs.dampening,
        attrs.weightDecay,
      );
    });
    return infos;
  }
  const { view } = buffers;
  params.forEach((p, i) => {
    sgdUpdateValues(
      view(p),
      view(inputs[`g${i}`]!),
      hasBuffers ? view(inputs[`b${i}`]!) : null,
      view(infos[i]!),
      withMomentum ? view(infos[count + i]!) : null,
      attrs,
    );
  });
  return infos;
}

/** The kernel function on the buffers of whatever backend runs it. */
export function sgdUpdateKernelFunc(buffersFor: (backend: unknown) => FloatBuffers): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => sgdUpdate(buffersFor(backend), inputs, attrs as unknown as SgdUpdateAttrs);
}
