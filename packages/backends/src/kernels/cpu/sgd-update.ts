import * as tf from '@tensorflow/tfjs-core';
import { SGD_UPDATE_KERNEL } from '@ccl/base';
import { CPU_BACKEND } from '../backend-names';
import { sgdUpdateKernelFunc, type FloatBuffers } from '../sgd-update';

/** The fused SGD update on the cpu backend: its typed arrays, updated by sgdUpdateValues. */

interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function cpuBuffers(backend: CpuBackend): FloatBuffers {
  return {
    view: (info) => {
      const values = backend.data.get(info.dataId).values;
      if (!(values instanceof Float32Array))
        throw new Error(`kernels/cpu/sgd-update.ts: expected float32 values, got ${Object.prototype.toString.call(values)}`);
      return values;
    },
    allocate: (shapes) => shapes.map((s) => backend.makeTensorInfo(s, 'float32', new Float32Array(tf.util.sizeFromShape(s)))),
  };
}

export const cpuSgdUpdate: tf.KernelConfig = {
  kernelName: SGD_UPDATE_KERNEL,
  backendName: CPU_BACKEND,
  kernelFunc: sgdUpdateKernelFunc((backend) => cpuBuffers(backend as CpuBackend)),
};
