/**
 * The momentum SGD update as a WebAssembly SIMD loop that runs on the WASM backend's own memory: a tiny
 * module, assembled here byte by byte (no toolchain), imports tfjs's `WebAssembly.Memory` and updates a
 * variable in place of the 4-6 backend ops of the op path, in one pass over p, g and the momentum buffer.
 *
 * Why: the update is memory-bound. A JavaScript loop over heap views (sgdUpdateValues) moves memory more
 * slowly than the backend's own SIMD element-wise kernels, so it lost to the op path on WASM despite its
 * single pass (docs/performance.md section 8). The same single pass in f32x4 does not.
 *
 * Exactness: each element gets the operations of sgdUpdateValues in the same order, each an IEEE float32
 * operation (WebAssembly neither fuses a multiply-add nor keeps extra precision), so the results are bit
 * for bit those of the op path (tested). Lanes past the last multiple of 4 run the same operations in
 * scalar f32.
 *
 * Only the steady state is here: momentum != 0 with a momentum buffer (every step after the first), with
 * or without Nesterov and weight decay; the first step and momentum 0 stay on sgdUpdateValues.
 */

/**
 * The part of the WebAssembly JavaScript API used here: the project compiles against lib ES2022 without
 * DOM, which declares no WebAssembly types (the runtime, Node or a browser, has them all).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Exported functions: (p, g, buf, pOut, bufOut: byte offsets; n: elements; lr, m, keep, wd: f32). */
export interface SgdSimdExports {
  momentum(p: number, g: number, buf: number, pOut: number, bufOut: number, n: number, lr: number, m: number, keep: number, wd: number): void;
  momentumDecay(p: number, g: number, buf: number, pOut: number, bufOut: number, n: number, lr: number, m: number, keep: number, wd: number): void;
  nesterov(p: number, g: number, buf: number, pOut: number, bufOut: number, n: number, lr: number, m: number, keep: number, wd: number): void;
  nesterovDecay(p: number, g: number, buf: number, pOut: number, bufOut: number, n: number, lr: number, m: number, keep: number, wd: number): void;
}

// --------------------------------------------------------------------------------- byte-level helpers

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (i: number) => [0x20, i],
  set: (i: number) => [0x21, i],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32And: [0x71],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  f32Load: [0x2a, 0x02, 0x00], // align 2^2, offset 0
  f32Store: [0x38, 0x02, 0x00],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  v128Load: [0xfd, 0x00, 0x00, 0x00], // align 2^0 (no alignment promised), offset 0
  v128Store: [0xfd, 0x0b, 0x00, 0x00],
  f32x4Splat: [0xfd, 0x13],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
};

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

// ------------------------------------------------------------------------------------ the function body

// parameters
const P = 0;
const G = 1;
const BUF = 2;
const P_OUT = 3;
const BUF_OUT = 4;
const N = 5;
const LR = 6;
const M = 7;
const KEEP = 8;
const WD = 9;
// locals: i32 i (byte offset), i32 vectorEnd (bytes), i32 end (bytes); v128 vLr, vM, vKeep, vWd, vP, vG, vB;
// f32 sP, sG, sB
const I = 10;
const VEC_END = 11;
const END = 12;
const V_LR = 13;
const V_M = 14;
const V_KEEP = 15;
const V_WD = 16;
const V_P = 17;
const V_G = 18;
const V_B = 19;
const S_P = 20;
const S_G = 21;
const S_B = 22;

interface Arith {
  load: number[];
  store: number[];
  add: number[];
  sub: number[];
  mul: number[];
  lr: number;
  m: number;
  keep: number;
  wd: number;
  p: number;
  g: number;
  b: number;
}

const VECTOR: Arith = {
  load: op.v128Load,
  store: op.v128Store,
  add: op.f32x4Add,
  sub: op.f32x4Sub,
  mul: op.f32x4Mul,
  lr: V_LR,
  m: V_M,
  keep: V_KEEP,
  wd: V_WD,
  p: V_P,
  g: V_G,
  b: V_B,
};
const SCALAR: Arith = {
  load: op.f32Load,
  store: op.f32Store,
  add: op.f32Add,
  sub: op.f32Sub,
  mul: op.f32Mul,
  lr: LR,
  m: M,
  keep: KEEP,
  wd: WD,
  p: S_P,
  g: S_G,
  b: S_B,
};

/** address = base + i */
function at(base: number): number[] {
  return [...op.get(base), ...op.get(I), ...op.i32Add];
}

/**
 * One element (or 4) of sgdUpdateValues' formula, in its order of operations:
 *   g = grad (+ wd p);  b = m buf + keep g;  bufOut = b;  pOut = p - lr (nesterov ? g + m b : b)
 */
function update(a: Arith, decay: boolean, nesterov: boolean): number[] {
  return [
    ...at(P),
    ...a.load,
    ...op.set(a.p),
    ...at(G),
    ...a.load,
    ...(decay ? [...op.get(a.wd), ...op.get(a.p), ...a.mul, ...a.add] : []),
    ...op.set(a.g),
    ...op.get(a.m),
    ...at(BUF),
    ...a.load,
    ...a.mul,
    ...op.get(a.keep),
    ...op.get(a.g),
    ...a.mul,
    ...a.add,
    ...op.set(a.b),
    ...at(BUF_OUT),
    ...op.get(a.b),
    ...a.store,
    ...at(P_OUT),
    ...op.get(a.p),
    ...op.get(a.lr),
    ...(nesterov ? [...op.get(a.g), ...op.get(a.m), ...op.get(a.b), ...a.mul, ...a.add] : op.get(a.b)),
    ...a.mul,
    ...a.sub,
    ...a.store,
  ];
}

/** while (i < limit) { body; i += step } */
function loopUntil(limit: number, step: number, body: number[]): number[] {
  return [
    ...op.block,
    ...op.loop,
    ...op.get(I),
    ...op.get(limit),
    ...op.i32GeU,
    ...op.brIf(1),
    ...body,
    ...op.get(I),
    ...op.i32Const(step),
    ...op.i32Add,
    ...op.set(I),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

function functionBody(decay: boolean, nesterov: boolean): number[] {
  const locals = vector([
    [3, I32],
    [7, V128],
    [3, F32],
  ]);
  const code = [
    // end = n * 4 bytes; vectorEnd = (n & ~3) * 4
    ...op.get(N),
    ...op.i32Const(2),
    ...op.i32Shl,
    ...op.set(END),
    ...op.get(N),
    ...op.i32Const(-4),
    ...op.i32And,
    ...op.i32Const(2),
    ...op.i32Shl,
    ...op.set(VEC_END),
    ...op.get(LR),
    ...op.f32x4Splat,
    ...op.set(V_LR),
    ...op.get(M),
    ...op.f32x4Splat,
    ...op.set(V_M),
    ...op.get(KEEP),
    ...op.f32x4Splat,
    ...op.set(V_KEEP),
    ...op.get(WD),
    ...op.f32x4Splat,
    ...op.set(V_WD),
    ...op.i32Const(0),
    ...op.set(I),
    ...loopUntil(VEC_END, 16, update(VECTOR, decay, nesterov)),
    ...loopUntil(END, 4, update(SCALAR, decay, nesterov)),
    ...op.end,
  ];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

const FUNCTIONS: { name: keyof SgdSimdExports; decay: boolean; nesterov: boolean }[] = [
  { name: 'momentum', decay: false, nesterov: false },
  { name: 'momentumDecay', decay: true, nesterov: false },
  { name: 'nesterov', decay: false, nesterov: true },
  { name: 'nesterovDecay', decay: true, nesterov: true },
];

/** The module's bytes, importing env.memory (shared or not, as the backend's memory is). */
export function sgdSimdModuleBytes(sharedMemory: boolean): Uint8Array {
  const type = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32], [F32], [F32], [F32], [F32]]), 0x00];
  // limits: shared memories must declare a maximum (65536 pages = 4 GiB, the wasm32 limit)
  const limits = sharedMemory ? [0x03, ...uleb(0), ...uleb(65536)] : [0x00, ...uleb(0)];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // magic, version 1
    ...section(1, vector([type])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vector(FUNCTIONS.map(() => [0]))),
    ...section(7, vector(FUNCTIONS.map((f, i) => [...name(f.name), 0x00, i]))),
    ...section(10, vector(FUNCTIONS.map((f) => functionBody(f.decay, f.nesterov)))),
  ];
  return Uint8Array.from(bytes);
}

const instances = new WeakMap<WasmMemory, SgdSimdExports>();

/** Whether this runtime runs WebAssembly SIMD (the module validates). */
export function sgdSimdSupported(): boolean {
  return wasmApi !== undefined && wasmApi.validate(sgdSimdModuleBytes(false));
}

/** The module instantiated on `memory` (once per memory), or null where WebAssembly SIMD is unavailable. */
export function sgdSimdFor(memory: WasmMemory): SgdSimdExports | null {
  const cached = instances.get(memory);
  if (cached !== undefined) return cached;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = sgdSimdModuleBytes(shared);
  if (wasmApi === undefined || !wasmApi.validate(bytes)) return null;
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
  const exports = instance.exports as unknown as SgdSimdExports;
  instances.set(memory, exports);
  return exports;
}
