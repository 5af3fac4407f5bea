import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { CPU_KERNELS } from '../kernels/cpu/table';
import { configureWasmThreads, MAX_WASM_THREADS } from '../kernels/wasm/wasm-threads';
import { WASM_KERNELS } from '../kernels/wasm/table';
import { BackendUnsuitable } from './backend-unsuitable';
import { ensureNavigatorGpu, formatAdapter, isSoftwareAdapter, probeWebGpuAdapter, type DawnBinding } from './webgpu-adapter';
import { childProbeVerdict, probeWebGpuInChild } from './webgpu-child-probe';

/** The backends the picker knows, in preference order. */
export type BackendName = 'node-gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];

/** Environment variables, as process.env holds them. */
export type Env = Record<string, string | undefined>;

/** What the picker needs to know about one backend. */
export interface BackendCandidate {
  name: BackendName;
  /** npm package that provides it. */
  module: string;
  /** Name the backend registers under in tfjs-core's engine. */
  tfName: string;
  /**
   * For a GPU backend: finds the device before the package loads, and describes it; throws to skip the
   * backend (a BackendUnsuitable's message is the whole reason).
   */
  probeDevice?: (env: Env, context: PrepareContext) => Promise<string>;
  /** Prepares the loaded package (paths, threads from `env`). Returns its version string. */
  prepare(mod: Record<string, unknown>, env: Env): Promise<{ version: string }>;
  /** Threads the backend computes with, once it is active. */
  threads(mod: Record<string, unknown>): number;
  /** Where that thread count comes from and how to change it (for the report). */
  threadsNote?: (env: Env) => string;
  /** Kernels ccl registers for this backend once it runs (registerKernels), if any. */
  kernels?: readonly tf.KernelConfig[];
}

/** What a candidate's `probeDevice` may use. */
export interface PrepareContext {
  /** The user forced this backend (--backend / CCL_BACKEND): it runs even where it would be skipped. */
  forced: boolean;
}

const localRequire = createRequire(__filename);

/** The folder holding the WASM backend's `.wasm` binaries inside node_modules (never a CDN). */
export function wasmBinaryDir(): string {
  return path.dirname(localRequire.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

function versionOf(mod: Record<string, unknown>, key: string): string {
  const v = mod[key];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)['tfjs-node'] === 'string') {
    return (v as Record<string, string>)['tfjs-node'];
  }
  return 'unknown';
}

/**
 * Threads for the WASM backend: CCL_WASM_THREADS when set, else one per core (at most MAX_WASM_THREADS).
 * Measured on 2 cores (docs/performance.md section 3): 2 threads make a training step ~1.4-1.8x faster on
 * an idle machine and slower when another job holds a core.
 */
export function wasmThreadsWanted(env: Env): number {
  const raw = env.CCL_WASM_THREADS;
  if (raw === undefined || raw === '') return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`CCL_WASM_THREADS must be an integer from 1 to ${MAX_WASM_THREADS}, got '${raw}'`);
  }
  return n;
}

/**
 * Dawn's Node binding from the optional npm package `webgpu`: its native `dawn.node` (shipped inside the
 * package, one folder per platform), required directly so that CJS builds and jest load it as well as ESM
 * (the package's own entry is an ES module).
 */
function dawnNodePath(): string {
  const packageDir = path.dirname(localRequire.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return path.join(packageDir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

function loadDawn(): DawnBinding {
  return localRequire(dawnNodePath()) as DawnBinding;
}

/** Whether this runtime has its own WebGPU (a browser, or a Node that was given one). */
function hasNavigatorGpu(): boolean {
  return (globalThis as unknown as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
}

/** A package's version from its package.json (the WebGPU backend exports none). */
function packageVersion(name: string): string {
  try {
    return (localRequire(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function nativeThreads(): number {
  // libtensorflow's intra-op pool defaults to the number of cores.
  const env = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return Number.isFinite(env) && env > 0 ? env : os.availableParallelism();
}

export const CANDIDATES: Record<BackendName, BackendCandidate> = {
  'node-gpu': {
    name: 'node-gpu',
    module: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    prepare: async (mod) => ({ version: versionOf(mod, 'version') }),
    threads: nativeThreads,
  },
  webgpu: {
    name: 'webgpu',
    module: '@tensorflow/tfjs-backend-webgpu',
    tfName: 'webgpu',
    // A browser has navigator.gpu; Node gets it from Dawn's binding (the optional npm package `webgpu`).
    // A software adapter (llvmpipe, SwiftShader) computes on the CPU, slower than wasm: used only when forced.
    // The package registers its backend at import only where navigator.gpu exists: find the adapter first.
    probeDevice: async (_env, { forced }) => {
      // Unless forced, look in a child process first: Dawn prints its findings straight to stderr, and on a
      // machine without a usable GPU they would clutter every command (webgpu-child-probe.ts).
      if (!forced && !hasNavigatorGpu()) {
        const verdict = childProbeVerdict(
          await probeWebGpuInChild(dawnNodePath(), (info, fallback) => ({ ...info, software: isSoftwareAdapter(info, fallback) })),
        );
        if (verdict !== null) throw new BackendUnsuitable(verdict);
      }
      const gpu = ensureNavigatorGpu(loadDawn);
      const adapter = await probeWebGpuAdapter(gpu);
      const device = formatAdapter(adapter);
      if (adapter.software && !forced) {
        throw new BackendUnsuitable(`software adapter ${device}: computes on the CPU, slower than wasm (use it with --backend webgpu / CCL_BACKEND=webgpu)`);
      }
      return device;
    },
    prepare: async () => ({ version: packageVersion('@tensorflow/tfjs-backend-webgpu') }),
    threads: () => 1,
    threadsNote: () => 'GPU: one queue of compute shaders',
  },
  node: {
    name: 'node',
    module: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    prepare: async (mod) => ({ version: versionOf(mod, 'version') }),
    threads: nativeThreads,
  },
  wasm: {
    name: 'wasm',
    module: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    prepare: async (mod, env) => {
      const setWasmPaths = mod.setWasmPaths as (prefix: string) => void;
      setWasmPaths(wasmBinaryDir());
      // The threaded build, one thread per core by default; the thread count is fixed when the backend
      // first initialises, so a backend that already runs keeps its own.
      const threads = wasmThreadsWanted(env);
      if (threads > 1 && (tf.engine().registry as Record<string, unknown>).wasm === undefined) configureWasmThreads(threads);
      return { version: versionOf(mod, 'version_wasm') };
    },
    threads: (mod) => (mod.getThreadsCount as () => number)(),
    threadsNote: (env) =>
      env.CCL_WASM_THREADS === undefined
        ? `one per core by default; CCL_WASM_THREADS=1 on a machine whose cores are busy (XNNPACK's threads wait for each other)`
        : `CCL_WASM_THREADS=${env.CCL_WASM_THREADS}`,
    kernels: WASM_KERNELS,
  },
  cpu: {
    name: 'cpu',
    module: '@tensorflow/tfjs-backend-cpu',
    tfName: 'cpu',
    prepare: async (mod) => ({ version: versionOf(mod, 'version_cpu') }),
    threads: () => 1,
    kernels: CPU_KERNELS,
  },
};
