import * as tf from '@tensorflow/tfjs-core';
import { pickBackend, formatBackendReport, CANDIDATES, wasmBinaryDir, MAX_WASM_THREADS } from '../src';
import { wasmThreadsWanted } from '../src/picker/candidates';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';

const realImport = async (name: string) => (await import(name)) as Record<string, unknown>;
/** An environment without CCL_BACKEND, with the jest setup's single-threaded WASM build. */
const ENV = { CCL_WASM_THREADS: '1' };

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('pickBackend', () => {
  it('falls back past native backends that throw on load and reports why', async () => {
    const loadModule = async (name: string) => {
      if (name === '@tensorflow/tfjs-node-gpu') throw new Error("Cannot find module '@tensorflow/tfjs-node-gpu'");
      if (name === '@tensorflow/tfjs-node') {
        throw new Error('The specified module could not be found.\n/x/lib/napi-v8/tfjs_binding.node');
      }
      return realImport(name);
    };
    const r = await pickBackend({ env: ENV, loadModule });
    expect(r.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // training support: the convolution gradients, and the fused SGD update (its SIMD loops run on Node 20)
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
    expect(tf.getKernel('CclSgdUpdate', 'wasm')).toBeDefined();
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.skipped.map((s) => s.name)).toEqual(['node-gpu', 'node']);
    expect(r.skipped[0].reason).toMatch(/not installed/);
    expect(r.skipped[1].reason).toMatch(/failed to load: The specified module could not be found/);
    expect(formatBackendReport(r)).toMatch(/skipped node \(@tensorflow\/tfjs-node\): failed to load/);
  });

  it('never trusts presence: a module that loads but registers no backend is skipped', async () => {
    const loadModule = async (name: string) => (name.includes('tfjs-node') ? {} : realImport(name));
    const r = await pickBackend({ env: ENV, loadModule });
    expect(r.name).toBe('wasm');
    expect(r.skipped[0].reason).toMatch(/registered no 'tensorflow' backend/);
  });

  it('skips a backend that has no kernels or computes a wrong answer', async () => {
    const noKernels = 'no-kernels-for-test';
    const wrong = 'wrong-answer-for-test';
    const fakeCpu = () => Object.create(tf.findBackend('cpu') as tf.KernelBackend) as tf.KernelBackend;
    tf.registerBackend(noKernels, fakeCpu);
    tf.registerBackend(wrong, fakeCpu);
    tf.registerKernel({
      kernelName: 'Add',
      backendName: wrong,
      kernelFunc: ({ backend }) => (backend as unknown as { makeTensorInfo: Function }).makeTensorInfo([2], 'float32', new Float32Array([0, 0])),
    });
    const candidates = {
      ...CANDIDATES,
      'node-gpu': { ...CANDIDATES['node-gpu'], tfName: noKernels, prepare: async () => ({ version: 'x' }) },
      node: { ...CANDIDATES.node, tfName: wrong, prepare: async () => ({ version: 'x' }) },
      wasm: {
        ...CANDIDATES.wasm,
        prepare: async () => {
          throw new Error('boom');
        },
      },
    };
    const r = await pickBackend({ env: ENV, candidates, loadModule: async () => ({}) as Record<string, unknown> });
    tf.removeBackend(noKernels);
    tf.removeBackend(wrong);
    expect(r.name).toBe('cpu');
    expect(r.skipped[0].reason).toMatch(/Kernel 'Add' not registered/);
    expect(r.skipped[1].reason).toMatch(/test op returned \[0,0\] instead of \[4, 6\]/);
    expect(r.skipped[2].reason).toMatch(/boom/);
  });

  it('honours CCL_BACKEND and --backend, and a forced backend that fails is an error, not a fallback', async () => {
    const r = await pickBackend({ env: { ...ENV, CCL_BACKEND: 'cpu' } });
    expect(r.name).toBe('cpu');
    expect(r.reason).toMatch(/CCL_BACKEND/);
    expect(r.skipped.every((s) => /not tried/.test(s.reason))).toBe(true);
    const w = await pickBackend({ force: 'wasm', env: { ...ENV, CCL_BACKEND: 'cpu' } });
    expect(w.name).toBe('wasm');
    expect(w.reason).toMatch(/--backend/);
    await expect(
      pickBackend({
        force: 'node',
        env: ENV,
        loadModule: async () => {
          throw new Error("Cannot find module 'x'");
        },
      }),
    ).rejects.toThrow(/forced by --backend but not installed/);
    await expect(pickBackend({ force: 'tpu', env: ENV })).rejects.toThrow(/unknown backend 'tpu'/);
  });

  it('WASM threads: one per core by default (at most MAX_WASM_THREADS), CCL_WASM_THREADS otherwise, a bad value named', () => {
    expect(wasmThreadsWanted({})).toBe(Math.min(os.availableParallelism(), MAX_WASM_THREADS));
    expect(wasmThreadsWanted({ CCL_WASM_THREADS: '' })).toBe(Math.min(os.availableParallelism(), MAX_WASM_THREADS));
    expect(wasmThreadsWanted({ CCL_WASM_THREADS: '1' })).toBe(1);
    expect(wasmThreadsWanted({ CCL_WASM_THREADS: '3' })).toBe(3);
    for (const bad of ['0', 'two', '1.5', String(MAX_WASM_THREADS + 1)]) {
      expect(() => wasmThreadsWanted({ CCL_WASM_THREADS: bad })).toThrow(`CCL_WASM_THREADS must be an integer from 1 to ${MAX_WASM_THREADS}, got '${bad}'`);
    }
  });

  it('a bad CCL_WASM_THREADS is an error, not a fallback to the cpu backend', async () => {
    await expect(pickBackend({ env: { CCL_WASM_THREADS: 'two' } })).rejects.toThrow("CCL_WASM_THREADS must be an integer from 1 to 8, got 'two'");
  });

  it('the report says where the WASM thread count comes from', async () => {
    const r = await pickBackend({ force: 'wasm' });
    expect(formatBackendReport(r)).toMatch(/^threads: 1 \(CCL_WASM_THREADS=1\)$/m); // set by the jest setup
  });

  it('finds the .wasm binaries inside node_modules', () => {
    const dir = wasmBinaryDir();
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    }
  });
});
