import { dtypeBytes, type RawTensor } from '../safetensors';
import type { TensorRef } from './torch-globals';

/** A storage's bytes as the file holds them, and their byte order. */
export interface StorageBytes {
  bytes: Uint8Array;
  littleEndian: boolean;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d]! !== 1 && stride[d]! !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** Reverses the bytes of each `size`-byte element in place (big-endian storage -> little-endian). */
function swapBytes(data: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < data.length; i += size) data.subarray(i, i + size).reverse();
}

/**
 * A tensor's elements, row-major and little-endian, from its storage: the checks come first (the furthest
 * element lies inside the storage, the storage inside the file's bytes). A contiguous little-endian tensor
 * is a view of its storage's bytes (read-only by convention: tensors viewing one storage share them; a
 * view into a shared storage starts at its own offset); any other stride pattern (a transpose, a slice
 * with a step) is gathered element by element into a new contiguous buffer, as is a big-endian one.
 */
export function materializeTensor(name: string, t: TensorRef, storage: StorageBytes): RawTensor {
  const dtype = t.storage.dtype;
  const size = dtypeBytes(dtype);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const available = Math.floor(storage.bytes.length / size);
  if (t.storage.numel > available)
    throw new Error(
      `tensor '${name}': its storage '${t.storage.key}' should hold ${t.storage.numel} ${dtype} elements, the file has ${available} (truncated file?)`,
    );
  const base = t.storage.viewOffset + t.offset;
  const last = count === 0 ? base - 1 : base + t.shape.reduce((s, d, i) => s + (d - 1) * t.stride[i]!, 0);
  if (count > 0 && last >= t.storage.numel)
    throw new Error(
      `tensor '${name}' (${dtype} [${t.shape.join(', ')}], stride [${t.stride.join(', ')}], offset ${base}) reaches element ${last} of a ${t.storage.numel}-element storage`,
    );
  if (count > t.storage.numel)
    throw new Error(`tensor '${name}' has ${count} elements, more than its storage's ${t.storage.numel} (an expanded view is not a state-dict tensor)`);
  let data: Uint8Array;
  if (isContiguous(t.shape, t.stride)) {
    const bytes = storage.bytes.subarray(base * size, (base + count) * size);
    data = storage.littleEndian ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes); // a view, or a copy to swap
  } else {
    data = new Uint8Array(count * size);
    const index = new Array<number>(t.shape.length).fill(0);
    let at = base;
    for (let i = 0; i < count; i++) {
      data.set(storage.bytes.subarray(at * size, (at + 1) * size), i * size);
      for (let d = t.shape.length - 1; d >= 0; d--) {
        // odometer over the multi-index, last dimension fastest
        if (++index[d]! < t.shape[d]!) {
          at += t.stride[d]!;
          break;
        }
        at -= (t.shape[d]! - 1) * t.stride[d]!;
        index[d] = 0;
      }
    }
  }
  if (!storage.littleEndian) swapBytes(data, dtype === 'BOOL' ? 1 : size);
  return { dtype, shape: [...t.shape], data };
}
