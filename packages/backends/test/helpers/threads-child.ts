// Run in a child process by kernels.test.ts ('the threaded WASM backend'): a fresh process, because the
// thread count is fixed when the backend first initialises. It computes a matmul and the registered conv
// gradients on 2 WASM threads and on the cpu backend, prints them as one JSON line and then simply returns:
// the test checks that the process exits by itself (no process.exit here).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { configureWasmThreads, registerKernels, WASM_TRAINING_KERNELS } from '../../src';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed + i * 0.37);
  return out;
}

function compute(): number[][] {
  return tf.tidy(() => {
    const a = tf.tensor(values(96 * 80, 1), [96, 80]);
    const b = tf.tensor(values(80 * 72, 2), [80, 72]);
    const x = tf.tensor(values(2 * 12 * 12 * 8, 3), [2, 12, 12, 8]) as tf.Tensor4D; // [N, H, W, Cin]
    const dy = tf.tensor(values(2 * 12 * 12 * 16, 4), [2, 12, 12, 16]) as tf.Tensor4D; // [N, H, W, Cout]
    const w = tf.tensor(values(3 * 3 * 8 * 16, 5), [3, 3, 8, 16]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    return [
      tf.matMul(a, b),
      tf.conv2d(x, w, 1, 'same'),
      // the two registered kernels, called directly (this bundle has no gradient registrations)
      tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
    ].map((t) => Array.from(t.dataSync()));
  });
}

export async function runChild(threads: number): Promise<void> {
  configureWasmThreads(threads);
  await tf.setBackend('wasm');
  registerKernels(WASM_TRAINING_KERNELS);
  const threadsCount = wasm.getThreadsCount();
  const onWasm = compute();
  await tf.setBackend('cpu');
  const onCpu = compute();
  process.stdout.write(`${JSON.stringify({ threadsCount, onWasm, onCpu })}\n`);
}
