import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { configureWasmThreads, MAX_WASM_THREADS } from '../kernels';

/** The backends the picker knows, in preference order. */
export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** What the picker needs to know about one backend. */
export interface BackendCandidate {
  name: BackendName;
  /** npm package that provides it. */
  module: string;
  /** Name the backend registers under in tfjs-core's engine. */
  tfName: string;
  /** Loads the package and prepares it (paths, threads). Returns its version string. */
  prepare(mod: Record<string, unknown>): Promise<{ version: string }>;
  /** Threads the backend computes with, once it is active. */
  threads(mod: Record<string, unknown>): number;
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
    prepare: async (mod) => {
      const setWasmPaths = mod.setWasmPaths as (prefix: string) => void;
      setWasmPaths(wasmBinaryDir());
      // Opt-in threaded build (CCL_WASM_THREADS=2): faster on an idle machine, slower when the other core
      // is busy (docs/performance.md), so one thread stays the default.
      const threads = Number(process.env.CCL_WASM_THREADS);
      if (threads > 1) configureWasmThreads(Math.min(threads, MAX_WASM_THREADS));
      return { version: versionOf(mod, 'version_wasm') };
    },
    threads: (mod) => (mod.getThreadsCount as () => number)(),
  },
  cpu: {
    name: 'cpu',
    module: '@tensorflow/tfjs-backend-cpu',
    tfName: 'cpu',
    prepare: async (mod) => ({ version: versionOf(mod, 'version_cpu') }),
    threads: () => 1,
  },
};
