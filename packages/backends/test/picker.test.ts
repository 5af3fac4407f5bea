import * as tf from '@tensorflow/tfjs-core';
import { pickBackend, formatBackendReport, CANDIDATES, wasmBinaryDir, MAX_WASM_THREADS, isSoftwareAdapter, formatAdapter } from '../src';
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
      if (name === '@tensorflow/tfjs-backend-webgpu') throw new Error("Cannot find module '@tensorflow/tfjs-backend-webgpu'");
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
    // webgpu: no adapter on a machine without a GPU, or (with one) its package made to fail to load above
    expect(r.skipped.map((s) => s.name)).toEqual(['node-gpu', 'webgpu', 'node']);
    expect(r.skipped[0].reason).toMatch(/not installed/);
    expect(r.skipped[1].reason).toMatch(/no WebGPU adapter|not installed/);
    expect(r.skipped[2].reason).toMatch(/failed to load: The specified module could not be found/);
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
      webgpu: {
        ...CANDIDATES.webgpu,
        probeDevice: undefined,
        prepare: async () => {
          throw new Error('gpu boom');
        },
      },
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
    expect(r.skipped[1].reason).toMatch(/gpu boom/);
    expect(r.skipped[2].reason).toMatch(/test op returned \[0,0\] instead of \[4, 6\]/);
    expect(r.skipped[3].reason).toMatch(/^failed to load: boom/);
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

describe('the webgpu candidate', () => {
  /** Runs fn with a fake navigator.gpu whose one adapter has `info` (as a browser or Dawn reports it). */
  async function withAdapter<T>(info: Record<string, string> | null, fn: () => Promise<T>): Promise<T> {
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const gpu = { requestAdapter: async () => (info === null ? null : { info }) };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    try {
      return await fn();
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  }
  const llvmpipe = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' };
  const h200 = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' };
  // the tfjs WebGPU package itself is replaced by an empty module: what is tested is the adapter decision
  const noWebGpuPackage = async (name: string) => (name === '@tensorflow/tfjs-backend-webgpu' ? {} : realImport(name));

  it('tells software adapters from GPUs', () => {
    expect(isSoftwareAdapter(llvmpipe)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: '', device: '', description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter(h200)).toBe(false);
    expect(isSoftwareAdapter(h200, true)).toBe(true); // the browser says it is a fallback adapter
    expect(formatAdapter({ ...llvmpipe, software: true })).toBe('llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) [software]');
  });

  it('skips a software adapter unless forced, and says which adapter it found', async () => {
    const auto = await withAdapter(llvmpipe, () => pickBackend({ env: ENV, loadModule: noWebGpuPackage }));
    expect(auto.name).toBe('wasm');
    const skipped = auto.skipped.find((s) => s.name === 'webgpu')!;
    expect(skipped.reason).toMatch(/^software adapter llvmpipe: Mesa 25\.0\.7 \(LLVM 15\.0\.6\) \[software\]: computes on the CPU.*--backend webgpu/);
    // forced, it goes past the adapter check (and here fails on the empty package, with that reason)
    await expect(withAdapter(llvmpipe, () => pickBackend({ env: ENV, force: 'webgpu', loadModule: noWebGpuPackage }))).rejects.toThrow(
      /backend 'webgpu' .* forced by --backend but failed to load: '@tensorflow\/tfjs-backend-webgpu' loaded but registered no 'webgpu' backend/,
    );
  });

  it('takes a hardware adapter without being forced, and says when there is none', async () => {
    const gpu = await withAdapter(h200, () => pickBackend({ env: ENV, loadModule: noWebGpuPackage }));
    expect(gpu.skipped.find((s) => s.name === 'webgpu')!.reason).toMatch(/registered no 'webgpu' backend/); // past the adapter check
    const none = await withAdapter(null, () => pickBackend({ env: ENV, loadModule: noWebGpuPackage }));
    expect(none.skipped.find((s) => s.name === 'webgpu')!.reason).toMatch(/^no WebGPU adapter/);
  });
});
