import * as tf from '@tensorflow/tfjs-core';

/**
 * Composite kernels of this folder are written as calls of the WASM backend's own registered kernels
 * (XNNPACK convolution, batched matrix product, transpose, slice), never as tfjs ops: ops would
 * go through the engine (tape, scopes, per-op bookkeeping), kernel calls only allocate backend buffers.
 *
 * Every TensorInfo a helper returns owns one reference to its buffer; the caller releases it with
 * `release` once it is no longer needed (Reshape shares the buffer and adds a reference, as in tfjs).
 */

/** The slice of tfjs's KernelBackend the composite kernels use. */
export interface BufferBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

export type Attrs = tf.NamedAttrMap;

/** Runs the kernel `name` registered for `backendName` on the given inputs (no engine involvement). */
export function callKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[],
  attrs: Attrs,
  backend: BufferBackend,
  backendName: string,
): tf.TensorInfo {
  const config = tf.getKernel(name, backendName);
  if (config === undefined) throw new Error(`kernels/wasm/wasm-calls.ts: kernel '${name}' is not registered for backend '${backendName}'`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, attrs, backend: backend as unknown as tf.KernelBackend });
  if (Array.isArray(out)) throw new Error(`kernels/wasm/wasm-calls.ts: kernel '${name}' returned ${out.length} outputs, expected 1`);
  return out;
}

/** Drops one reference to each buffer. */
export function release(backend: BufferBackend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Typed wrappers around the kernels the composite kernels need, bound to one backend. */
export class KernelCalls {
  constructor(
    readonly backend: BufferBackend,
    readonly backendName: string,
  ) {}

  private run(name: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: Attrs = {}): tf.TensorInfo {
    return callKernel(name, inputs, attrs, this.backend, this.backendName);
  }

  release(...infos: tf.TensorInfo[]): void {
    release(this.backend, ...infos);
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run(tf.Slice, { x }, { begin, size });
  }

  /** Elements begin[i], begin[i] + strides[i], ... below end[i]. */
  stridedSlice(x: tf.TensorInfo, begin: number[], end: number[], strides: number[]): tf.TensorInfo {
    return this.run(tf.StridedSlice, { x }, { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 });
  }

  concat(xs: tf.TensorInfo[], axis: number): tf.TensorInfo {
    return this.run(tf.Concat, xs, { axis });
  }

  /** [M, K] x [K, N] -> [M, N] (no transposes: the WASM backend's fast path). */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  }

  /**
   * NHWC conv, filter [kh, kw, Cin, Cout], explicit non-negative pads [[top, bottom], [left, right]].
   * Strides and dilations may not both exceed 1 (tfjs's rule).
   */
  conv2d(
    x: tf.TensorInfo,
    filter: tf.TensorInfo,
    strides: [number, number],
    pads: [[number, number], [number, number]],
    dilations: [number, number] = [1, 1],
  ): tf.TensorInfo {
    const pad = [[0, 0], pads[0], pads[1], [0, 0]];
    return this.run(tf.Conv2D, { x, filter }, { strides, pad, dataFormat: 'NHWC', dilations } as unknown as Attrs);
  }

  /**
   * x gathered along `axis` at the given indices. Every index selects one contiguous block (the dims after
   * `axis`), so on a backend that exposes its heap (WASM) this is one block copy per (outer index, index):
   * memcpy speed. The WASM GatherV2 kernel walks element by element: 259 ms for the 9 taps of a
   * [3, 3, 512, 1152] filter against ~5 ms here (docs/performance.md).
   */
  gather(x: tf.TensorInfo, indices: number[], axis: number): tf.TensorInfo {
    const heap = this.backend as unknown as Partial<HeapBackend>;
    if (typeof heap.makeOutput === 'function' && typeof heap.typedArrayFromHeap === 'function' && x.dtype === 'float32') {
      return gatherBlocks(heap as HeapBackend, x, indices, axis);
    }
    const writer = this.backend as unknown as { write(values: Int32Array, shape: number[], dtype: 'int32'): tf.DataId };
    const idx: tf.TensorInfo = { dataId: writer.write(Int32Array.from(indices), [indices.length], 'int32'), shape: [indices.length], dtype: 'int32' };
    try {
      return this.run(tf.GatherV2, { x, indices: idx }, { axis, batchDims: 0 });
    } finally {
      this.release(idx);
    }
  }

  /** A float32 tensor of zeros. */
  zeros(shape: number[]): tf.TensorInfo {
    return this.run(tf.Fill, [], { shape, value: 0, dtype: 'float32' });
  }

  /** Rows of x (axis 0) in reversed order (a block gather: the WASM Reverse kernel is ~10x slower). */
  reverseRows(x: tf.TensorInfo): tf.TensorInfo {
    const n = x.shape[0];
    return this.gather(
      x,
      Array.from({ length: n }, (_, i) => n - 1 - i),
      0,
    );
  }
}

/** The WASM backend's buffer allocation and heap views (tfjs-backend-wasm 4.x BackendWasm). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** out[o, j, ...] = x[o, indices[j], ...] by block copies on the heap. */
function gatherBlocks(backend: HeapBackend, x: tf.TensorInfo, indices: number[], axis: number): tf.TensorInfo {
  const dims = x.shape;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const len = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= len)
      throw new Error(`kernels/wasm/wasm-calls.ts: gather index ${i} outside [0, ${len}) on axis ${axis} of [${dims.join(', ')}]`);
  }
  const shape = [...dims.slice(0, axis), indices.length, ...dims.slice(axis + 1)];
  const out = backend.makeOutput(shape, 'float32');
  // Views after the allocation: growing the heap detaches earlier views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < indices.length; j++) {
      const from = (o * len + indices[j]!) * inner;
      dst.set(src.subarray(from, from + inner), (o * indices.length + j) * inner);
    }
  }
  return out;
}
