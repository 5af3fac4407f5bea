import * as tf from '@tensorflow/tfjs-core';
import { SGD_UPDATE_KERNEL } from '@ccl/base';
import { CANDIDATES, pickBackend, registerKernels, type BackendCandidate } from '../src';
import { displacedKernel } from '../src/kernels/register-kernels';

// One registration shape for every kernel table: registerKernels(table) registers tfjs KernelConfigs,
// idempotently, replacing (and keeping) a backend's own kernel; the picker registers its candidate's table.

/** A kernel that returns its input's buffer with one more reference (an Identity). */
const shareX: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

describe('registerKernels', () => {
  it('registers a table, returns the names it added, and adds nothing on a second call', () => {
    const table: tf.KernelConfig[] = [
      { kernelName: 'TestKernelA', backendName: 'cpu', kernelFunc: shareX },
      { kernelName: 'TestKernelB', backendName: 'cpu', kernelFunc: shareX },
    ];
    expect(registerKernels(table)).toEqual(['TestKernelA', 'TestKernelB']);
    expect(tf.getKernel('TestKernelA', 'cpu')?.kernelFunc).toBe(shareX);
    expect(registerKernels(table)).toEqual([]);
    const x = tf.tensor1d([1, 2]);
    const y = tf.engine().runKernel('TestKernelB', { x }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, 2]);
    tf.dispose([x, y]);
    tf.unregisterKernel('TestKernelA', 'cpu');
    tf.unregisterKernel('TestKernelB', 'cpu');
  });

  it("replaces a backend's own kernel and keeps it for the cases the replacement hands back", () => {
    const builtIn = tf.getKernel(tf.Neg, 'cpu')!.kernelFunc;
    const table: tf.KernelConfig[] = [{ kernelName: tf.Neg, backendName: 'cpu', kernelFunc: (args) => displacedKernel(tf.Neg, 'cpu')!(args) }];
    try {
      expect(registerKernels(table)).toEqual([tf.Neg]);
      expect(tf.getKernel(tf.Neg, 'cpu')?.kernelFunc).toBe(table[0]!.kernelFunc);
      expect(displacedKernel(tf.Neg, 'cpu')).toBe(builtIn);
      expect(registerKernels(table)).toEqual([]);
      expect(displacedKernel(tf.Neg, 'cpu')).toBe(builtIn); // not our own kernel on a second call
      const y = tf.neg(tf.tensor1d([1, -2]));
      expect(Array.from(y.dataSync())).toEqual([-1, 2]);
      y.dispose();
    } finally {
      tf.unregisterKernel(tf.Neg, 'cpu');
      tf.registerKernel({ kernelName: tf.Neg, backendName: 'cpu', kernelFunc: builtIn });
    }
  });

  it('refuses a table for a backend whose package is not loaded (its import would overwrite the table)', () => {
    expect(() => registerKernels([{ kernelName: 'TestKernelC', backendName: 'not-loaded', kernelFunc: shareX }])).toThrow(
      /needs the 'not-loaded' backend loaded first/,
    );
    expect(tf.getKernel('TestKernelC', 'not-loaded')).toBeUndefined();
  });
});

describe("pickBackend registers the chosen candidate's kernel table", () => {
  afterEach(async () => {
    await tf.setBackend('cpu');
  });

  it('registers the table a candidate carries, and nothing for a candidate without one', async () => {
    const table: tf.KernelConfig[] = [{ kernelName: 'TestKernelD', backendName: 'cpu', kernelFunc: shareX }];
    const withTable: Record<string, BackendCandidate> = { ...CANDIDATES, cpu: { ...CANDIDATES.cpu, kernels: table } };
    const r = await pickBackend({ force: 'cpu', env: {}, candidates: withTable as typeof CANDIDATES });
    expect(r.addedKernels).toEqual(['TestKernelD']);
    expect(tf.getKernel('TestKernelD', 'cpu')).toBeDefined();
    const cpuWithout: BackendCandidate = { ...CANDIDATES.cpu, kernels: undefined };
    const without = await pickBackend({ force: 'cpu', env: {}, candidates: { ...CANDIDATES, cpu: cpuWithout } });
    expect(without.addedKernels).toEqual([]);
    tf.unregisterKernel('TestKernelD', 'cpu');
  });

  it('registers the built-in cpu table (the fused SGD update) when the cpu backend is picked', async () => {
    expect(tf.getKernel(SGD_UPDATE_KERNEL, 'cpu')).toBeUndefined();
    const r = await pickBackend({ force: 'cpu', env: {} });
    expect(r.addedKernels).toEqual([SGD_UPDATE_KERNEL]);
    expect(tf.getKernel(SGD_UPDATE_KERNEL, 'cpu')).toBeDefined();
  });
});
