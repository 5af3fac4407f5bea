import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

const FILE = 'kernels/wasm/wasm-threads.ts';
const WASM_MODULE = '@tensorflow/tfjs-backend-wasm';
/** The threaded build pre-creates 8 pthread workers; XNNPACK's pool can use at most that many. */
export const MAX_WASM_THREADS = 8;

const localRequire = createRequire(__filename);

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Makes the WASM backend compute with `threads` threads under Node (tfjs 4.22). Call it once, after
 * `@tensorflow/tfjs-backend-wasm` is imported and BEFORE the backend is first initialised
 * (tf.setBackend('wasm') / tf.ready()); afterwards `getThreadsCount()` of the WASM module reports the
 * threads. threads <= 1 leaves everything as it is.
 *
 * Three things stop the threaded build under Node, and each is undone here:
 * 1. tfjs reports `WASM_HAS_MULTITHREAD_SUPPORT = false` whenever it runs in Node (tfjs issue 3830):
 *    the flag is set to true, so the threaded-SIMD binary is loaded.
 * 2. Emscripten starts its pthread workers from a `blob:` URL, which Node's worker_threads rejects: a
 *    `globalThis.Worker` accessor hands Emscripten a worker_threads subclass that starts the worker from
 *    its embedded source (`eval: true`) with an `importScripts` that evaluates the threaded factory read
 *    from the package's `wasm-out/` folder. The workers are unref'd and stay so when Emscripten
 *    ref()s one to run a pthread (XNNPACK's pool threads never end): they never keep the process alive.
 * 3. The backend caps its thread pool at `emscripten_num_logical_cores() / 2` (it assumes 2 hyper-threads
 *    per core), i.e. 1 on a 2-core machine: while the backend initialises, `os.cpus()` reports 2 x threads
 *    logical cores, and is restored as soon as the backend exists.
 *
 * Measured on 2 cores (docs/performance.md): 1024^3 matmul 29 -> 46-54 GFLOP/s with 2 threads.
 *
 * @param threads compute threads, 1..MAX_WASM_THREADS
 * @returns the threads requested (the backend reports the actual count once initialised)
 */
export function configureWasmThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`${FILE}: threads must be an integer in [1, ${MAX_WASM_THREADS}], got ${threads}`);
  }
  if (threads === 1) return 1;
  const factory = tf.findBackendFactory('wasm');
  if (factory === null || factory === undefined) {
    throw new Error(`${FILE}: configureWasmThreads() needs '${WASM_MODULE}' imported first`);
  }
  if (tf.engine().registry.wasm !== undefined) {
    throw new Error(`${FILE}: the WASM backend is already initialised; configure threads before tf.setBackend('wasm')`);
  }
  const wasm = localRequire(WASM_MODULE) as WasmModule;
  installPthreadWorkerShim();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  reportCoresDuringInit(factory, 2 * threads);
  return threads;
}

/** Re-registers the 'wasm' backend factory so that os.cpus() lists `cores` entries while it runs. */
function reportCoresDuringInit(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>, cores: number): void {
  const priority = tf.engine().registryFactory.wasm?.priority ?? 2;
  // The module object itself (what Emscripten's require('os') returns), not an ESM namespace view.
  const mutableOs = localRequire('os') as { cpus: () => unknown[] };
  const wrapped = async (): Promise<tf.KernelBackend> => {
    const realCpus = mutableOs.cpus;
    mutableOs.cpus = () => {
      const cpus = realCpus();
      return Array.from({ length: cores }, (_, i) => cpus[i % cpus.length]);
    };
    try {
      return await factory();
    } finally {
      mutableOs.cpus = realCpus;
    }
  };
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', wrapped, priority);
}

let shimInstalled = false;

/** Gives Emscripten a Worker class that can start its pthread workers under Node (see step 2 above). */
function installPthreadWorkerShim(): void {
  if (shimInstalled) return;
  const outDir = path.join(path.dirname(localRequire.resolve(WASM_MODULE)), '..', 'wasm-out');
  const factoryFile = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const workerFile = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  const factoryText = fs.readFileSync(factoryFile, 'utf8');
  const tail = factoryText.indexOf("if (typeof exports === 'object' && typeof module === 'object')");
  if (tail < 0) throw new Error(`${FILE}: ${factoryFile} does not have the expected layout (tfjs-backend-wasm version?)`);
  const workerContents = (localRequire(workerFile) as { wasmWorkerContents?: string }).wasmWorkerContents;
  if (typeof workerContents !== 'string') throw new Error(`${FILE}: ${workerFile} exports no wasmWorkerContents`);
  // As tfjs does for its Blob: keep the embedded newlines escaped inside string literals.
  const bootstrap = `${workerContents.replace(/\n/g, '\\n')}\n;global.importScripts = function () { (0, eval)(${JSON.stringify(factoryText.slice(0, tail))}); };`;

  class PthreadWorker extends NodeWorker {
    constructor(file: string | URL, options?: WorkerOptions) {
      if (String(file).startsWith('blob:')) super(bootstrap, { ...options, eval: true });
      else super(file, options);
      this.unref();
    }

    /**
     * Emscripten ref()s a worker when it starts a pthread on it, and XNNPACK's pool threads never end, so
     * a process that used 2+ threads would never exit by itself: these workers stay unref'd.
     */
    override ref(): void {}
  }
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    set: () => undefined, // Emscripten assigns worker_threads.Worker here; keep the shim
  });
  shimInstalled = true;
}
