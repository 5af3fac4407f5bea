import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { conv2dFilterGradAsForwardConv, sgdUpdateValues, TFJS_FILTER_GRAD_PRIMITIVES } from '@ccl/base';
import { configureWasmThreads, MAX_WASM_THREADS, registerKernels, WASM_KERNELS } from '../src';
import { sgdSimdFor, sgdSimdModuleBytes, wasmApi, type SgdSimdExports, type WasmMemory } from '../src/kernels/wasm/sgd-update-simd';
import { onBackend, randomValues, relativeError } from '../../../tools/fixtures/kernel-checks';

// Conformance of the WASM training kernels against the pure-JS cpu backend (correct, slow reference).

const TOL = 1e-4;

interface ConvCase {
  x: [number, number, number, number]; // [N, H, W, Cin]
  filter: [number, number, number, number]; // [kh, kw, Cin, Cout]
  strides: [number, number];
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
}

const CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], filter: [1, 1, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [2, 8, 8, 5], filter: [1, 1, 5, 6], strides: [2, 2], pad: 'valid' },
  { x: [1, 9, 9, 4], filter: [3, 3, 4, 8], strides: [1, 1], pad: 'same' },
  { x: [2, 9, 8, 4], filter: [3, 3, 4, 6], strides: [2, 2], pad: 'same' },
  { x: [2, 10, 10, 6], filter: [3, 3, 6, 5], strides: [2, 2], pad: 'valid' },
  { x: [1, 11, 9, 3], filter: [3, 3, 3, 4], strides: [1, 2], pad: 1 },
  {
    x: [2, 16, 16, 3],
    filter: [7, 7, 3, 8],
    strides: [2, 2],
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  },
  {
    x: [1, 13, 12, 2],
    filter: [7, 7, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 4],
      [2, 0],
      [0, 0],
    ],
  },
  {
    x: [2, 6, 20, 8],
    filter: [3, 1, 8, 16],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ],
  },
  {
    x: [2, 8, 12, 7],
    filter: [3, 1, 7, 9],
    strides: [2, 1],
    pad: [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ],
  },
  { x: [3, 5, 6, 16], filter: [3, 1, 16, 4], strides: [1, 1], pad: 'valid' },
  { x: [1, 12, 12, 32], filter: [3, 3, 32, 16], strides: [2, 2], pad: 'same' },
];

function caseName(c: ConvCase): string {
  return `x [${c.x}] filter [${c.filter}] strides [${c.strides}] pad ${JSON.stringify(c.pad)}`;
}

function outShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, false, 'channelsLast');
  return info.outShape;
}

/** Runs one backprop kernel on the active backend and reads its output. */
function runBackprop(kernelName: string, c: ConvCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const dyShape = outShape(c);
    const dy = tf.tensor(
      randomValues(
        dyShape.reduce((a, b) => a * b),
        seed + 1,
      ),
      dyShape,
    );
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    const out =
      kernelName === tf.Conv2DBackpropFilter
        ? tf.engine().runKernel(
            kernelName,
            {
              x: tf.tensor(
                randomValues(
                  c.x.reduce((a, b) => a * b),
                  seed,
                ),
                c.x,
              ),
              dy,
            },
            { ...attrs, filterShape: c.filter } as tf.NamedAttrMap,
          )
        : tf.engine().runKernel(
            kernelName,
            {
              dy,
              filter: tf.tensor(
                randomValues(
                  c.filter.reduce((a, b) => a * b),
                  seed + 2,
                ),
                c.filter,
              ),
            },
            { ...attrs, inputShape: c.x } as tf.NamedAttrMap,
          );
    return (out as tf.Tensor).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  registerKernels(WASM_KERNELS);
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('registerKernels(WASM_KERNELS)', () => {
  it('registers every training kernel for wasm and is idempotent', () => {
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const k of WASM_KERNELS) expect(names).toContain(k.kernelName);
    expect(registerKernels(WASM_KERNELS)).toEqual([]);
  });
});

describe('Identity and same-dtype Cast on wasm share the buffer', () => {
  it('share the dataId, keep the values, and free the buffer only with the last reference', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { refCount(id: object): number; numDataIds(): number };
      const x = tf.tensor2d([1.5, -2, 3, 4.25], [2, 2]);
      const id = tf.engine().runKernel(tf.Identity, { x }) as tf.Tensor;
      expect(id.dataId).toBe(x.dataId);
      expect(backend.refCount(x.dataId)).toBe(2);
      const buffers = backend.numDataIds();
      x.dispose();
      expect(Array.from(id.dataSync())).toEqual([1.5, -2, 3, 4.25]);
      expect(backend.numDataIds()).toBe(buffers); // still referenced by the identity
      id.dispose();
      expect(backend.numDataIds()).toBe(buffers - 1);
    });
  });

  it('the kernel-level Cast shares for the same dtype and converts otherwise', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor1d([1.7, -2.2, 0]);
      const f = tf.engine().runKernel(tf.Cast, { x }, { dtype: 'float32' }) as tf.Tensor;
      expect(f.dataId).toBe(x.dataId);
      const i = tf.engine().runKernel(tf.Cast, { x }, { dtype: 'int32' }) as tf.Tensor;
      expect(i.dataId).not.toBe(x.dataId);
      expect(i.dtype).toBe('int32');
      expect(Array.from(i.dataSync())).toEqual([1, -2, 0]);
      tf.dispose([x, f, i]);
    });
  });

  it('a clone saved for a gradient no longer copies (the gradient is still right)', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor1d([1, -2, 3]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(x);
      expect(Array.from(g.dataSync())).toEqual([2, -4, 6]);
      tf.dispose([x, g]);
    });
  });
});

describe('the WebAssembly SIMD SGD loops (sgd-update-simd.ts)', () => {
  it('assemble into valid modules for shared and unshared memories, and instantiate on the backend memory', async () => {
    expect(wasmApi.validate(sgdSimdModuleBytes(false))).toBe(true);
    expect(wasmApi.validate(sgdSimdModuleBytes(true))).toBe(true);
    await onBackend('wasm', () => {
      const module = (tf.backend() as unknown as { wasm: { asm: { memory: WasmMemory } } }).wasm;
      const loops = sgdSimdFor(module.asm.memory);
      expect(loops).not.toBeNull();
      expect(sgdSimdFor(module.asm.memory)).toBe(loops); // one instance per memory
    });
  });

  it.each([
    ['momentum', false, false],
    ['momentumDecay', true, false],
    ['nesterov', false, true],
    ['nesterovDecay', true, true],
  ] as const)('%s equals sgdUpdateValues bit for bit, in place too, on 0-1031 elements', (loopName, decay, nesterov) => {
    // a memory of its own: the loops take byte offsets into whatever memory they were instantiated on
    const memory = new wasmApi.Memory({ initial: 4 });
    const loops = sgdSimdFor(memory)!;
    const attrs = { lr: 0.07, momentum: 0.9, dampening: 0.25, weightDecay: decay ? 3e-3 : 0, nesterov, count: 1, hasBuffers: true };
    for (const n of [0, 1, 3, 4, 7, 64, 1031]) {
      const heap = new Float32Array(memory.buffer);
      const p = randomValues(n, n + 1);
      const g = randomValues(n, n + 2).map((v, i) => (i === 2 ? Number.NaN : i === 5 ? Infinity : v * 10));
      const b = randomValues(n, n + 3);
      const want = { p: new Float32Array(n), b: new Float32Array(n) };
      sgdUpdateValues(p, g, b, want.p, want.b, attrs);
      // p, g, b at 16-byte-unaligned offsets (4 bytes past a multiple of 16), outputs separate
      const at = (slot: number) => 4 + slot * 4096 * 4; // byte offset of slot k
      heap.set(p, at(0) / 4);
      heap.set(g, at(1) / 4);
      heap.set(b, at(2) / 4);
      (loops[loopName] as SgdSimdExports['momentum'])(at(0), at(1), at(2), at(3), at(4), n, attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay);
      expect(Array.from(heap.subarray(at(3) / 4, at(3) / 4 + n))).toEqual(Array.from(want.p));
      expect(Array.from(heap.subarray(at(4) / 4, at(4) / 4 + n))).toEqual(Array.from(want.b));
      expect(heap[at(3) / 4 + n]).toBe(0); // nothing written past the end
      // in place (outputs over the inputs), as a caller may do
      (loops[loopName] as SgdSimdExports['momentum'])(at(0), at(1), at(2), at(0), at(2), n, attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay);
      expect(Array.from(heap.subarray(at(0) / 4, at(0) / 4 + n))).toEqual(Array.from(want.p));
      expect(Array.from(heap.subarray(at(2) / 4, at(2) / 4 + n))).toEqual(Array.from(want.b));
      heap.fill(0);
    }
  });
});

// The threaded path itself (workers, thread pool) runs in a fresh child process (the last describe below):
// this process already initialised the single-threaded backend, so only the guards are testable here.
describe('configureWasmThreads', () => {
  it('rejects thread counts outside [1, MAX_WASM_THREADS]', () => {
    for (const bad of [0, -1, 1.5, MAX_WASM_THREADS + 1]) expect(() => configureWasmThreads(bad)).toThrow(/threads must be an integer/);
  });

  it('is a no-op for 1 thread', () => {
    expect(configureWasmThreads(1)).toBe(1);
  });

  it('refuses once the WASM backend is initialised (the thread count is fixed at init)', () => {
    expect(() => configureWasmThreads(2)).toThrow(/already initialised/);
  });
});

describe.each([tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput])('%s on wasm matches cpu', (kernelName) => {
  it.each(CASES.map((c, i) => [caseName(c), c, i] as const))('%s', async (_name, c, i) => {
    const got = await onBackend('wasm', () => runBackprop(kernelName, c, 100 * i));
    const want = await onBackend('cpu', () => runBackprop(kernelName, c, 100 * i));
    expect(got.length).toBe(want.length);
    expect(relativeError(got, want)).toBeLessThan(TOL);
  });

  it('leaves no tensor and no backend buffer behind', async () => {
    await tf.setBackend('wasm');
    runBackprop(kernelName, CASES[3], 1);
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    runBackprop(kernelName, CASES[3], 2);
    runBackprop(kernelName, CASES[6], 3);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
  });
});

describe('Conv2DBackpropFilter on wasm is the one filter-gradient plan of @ccl/base', () => {
  // The encoders' conv2d op runs conv2dFilterGradAsForwardConv over tfjs ops; the kernel runs it over kernel
  // calls. On the same backend both reach the same WASM kernels in the same order: the results are equal bit for bit.
  it.each(CASES.map((c, i) => [caseName(c), c, i] as const))('%s', async (_name, c, i) => {
    await tf.setBackend('wasm');
    const kernel = runBackprop(tf.Conv2DBackpropFilter, c, 100 * i);
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, false, 'channelsLast');
    const plan = tf.tidy(() => {
      const x = tf.tensor(
        randomValues(
          c.x.reduce((a, b) => a * b),
          100 * i,
        ),
        c.x,
      );
      const dy = tf.tensor(
        randomValues(
          info.outShape.reduce((a, b) => a * b),
          100 * i + 1,
        ),
        info.outShape,
      );
      const dw = conv2dFilterGradAsForwardConv(TFJS_FILTER_GRAD_PRIMITIVES, x, dy, {
        kernelHeight: info.filterHeight,
        kernelWidth: info.filterWidth,
        strideHeight: info.strideHeight,
        strideWidth: info.strideWidth,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
      }); // [kh, kw, Cin, Cout]
      return dw.dataSync() as Float32Array;
    });
    expect(Array.from(kernel)).toEqual(Array.from(plan));
  });
});

describe('tf.conv2d gradients on wasm (the op-level path into both kernels)', () => {
  function grads(): Float32Array[] {
    return tf.tidy(() => {
      const x = tf.tensor(randomValues(2 * 11 * 10 * 5, 7), [2, 11, 10, 5]) as tf.Tensor4D; // [N, H, W, Cin]
      const w = tf.tensor(randomValues(3 * 3 * 5 * 6, 8), [3, 3, 5, 6]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
      return tf
        .grads(f)([x, w])
        .map((g) => g.dataSync() as Float32Array);
    });
  }

  it('equal the cpu backend', async () => {
    const got = await onBackend('wasm', grads);
    const want = await onBackend('cpu', grads);
    expect(relativeError(got[0], want[0])).toBeLessThan(TOL);
    expect(relativeError(got[1], want[1])).toBeLessThan(TOL);
  });
});

describe('the threaded WASM backend (a fresh child process)', () => {
  it('computes on 2 threads what the cpu backend computes, and the process exits by itself', async () => {
    const root = path.join(__dirname, '..', '..', '..');
    const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-threads-')), 'threads-child.cjs');
    const esbuild = require('esbuild') as { buildSync: (o: Record<string, unknown>) => unknown };
    esbuild.buildSync({
      entryPoints: [path.join(__dirname, 'helpers', 'threads-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      logLevel: 'silent',
      // one tfjs-core for both; the WASM backend finds its .wasm files next to its own dist
      external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
      nodePaths: [path.join(root, 'node_modules')],
    });
    const script = `require(${JSON.stringify(bundle)}).runChild(2).catch((e) => { console.error(e); process.exitCode = 1; })`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A hang guard, not a speed assertion: before the fix, Emscripten's ref() of the pool's workers kept
    // the process alive forever after its last line.
    const exited = await new Promise<boolean>((resolve) => {
      const guard = setTimeout(() => resolve(false), 60_000);
      child.on('exit', () => {
        clearTimeout(guard);
        resolve(true);
      });
    });
    if (!exited) child.kill('SIGKILL');
    if (!exited || child.exitCode !== 0) throw new Error(`child: exited ${exited}, code ${child.exitCode}\n${stderr.slice(0, 3000)}`);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { threadsCount: number; onWasm: number[][]; onCpu: number[][] };
    expect(result.threadsCount).toBe(2);
    expect(result.onWasm).toHaveLength(4);
    result.onWasm.forEach((got, i) => expect(relativeError(Float32Array.from(got), Float32Array.from(result.onCpu[i]!))).toBeLessThan(TOL));
  });
});
