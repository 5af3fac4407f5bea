import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity and same-dtype Cast that share the input's buffer instead of copying it, as the cpu backend's
 * own kernels do (and as the WASM backend's Reshape does).
 *
 * Why it matters for training: the engine saves every tensor a gradient needs with `clone`, which runs the
 * Identity kernel, and the gradient of a clone is a Cast to float32. On the WASM backend of tfjs 4.22 both
 * kernels copy the whole buffer, so every saved activation was written twice in the forward pass and its
 * gradient once more in the backward pass (about 1,100 copies per r2plus1d-18 step, measured). Sharing is
 * safe because no tfjs kernel writes into an input: outputs always get fresh buffers, and a Variable's
 * `assign` swaps its buffer rather than writing into it.
 */

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

function shareInput(x: tf.TensorInfo, backend: unknown, dtype: tf.DataType): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

/** Identity: shares the buffer (strings go to the backend's own kernel). */
export function identitySharingData(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }, builtIn: tf.KernelFunc | undefined): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string' || typeof (args.backend as Partial<RefCountingBackend>).incRef !== 'function') {
    if (builtIn === undefined) throw new Error(`kernels/wasm/shared-data.ts: no built-in Identity kernel for dtype ${x.dtype}`);
    return builtIn(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  return shareInput(x, args.backend, x.dtype);
}

/** Cast: shares the buffer when the dtype does not change; every real conversion goes to the backend's own kernel. */
export function castSharingData(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
  builtIn: tf.KernelFunc | undefined,
): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
  if (dtype === x.dtype && dtype !== 'string' && dtype !== 'complex64' && typeof (args.backend as Partial<RefCountingBackend>).incRef === 'function') {
    return shareInput(x, args.backend, dtype);
  }
  if (builtIn === undefined) throw new Error(`kernels/wasm/shared-data.ts: no built-in Cast kernel for ${x.dtype} -> ${String(dtype)}`);
  return builtIn(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
