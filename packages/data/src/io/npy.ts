/** Floating-point dtypes the `.npy` reader and writer accept. */
export type NpyDtype = 'float32' | 'float64';

/** A dense row-major array read from or written to a `.npy` file. */
export interface NpyArray {
  dtype: NpyDtype;
  /** `[D]` or `[T, D]` (any rank on read; see {@link parseNpy}). */
  shape: number[];
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy `descr` strings -> dtype, with byte order. '|' and '=' are treated as little-endian (x86/ARM). */
const DESCR: Record<string, { dtype: NpyDtype; littleEndian: boolean; bytes: number }> = {
  '<f4': { dtype: 'float32', littleEndian: true, bytes: 4 },
  '=f4': { dtype: 'float32', littleEndian: true, bytes: 4 },
  '>f4': { dtype: 'float32', littleEndian: false, bytes: 4 },
  '<f8': { dtype: 'float64', littleEndian: true, bytes: 8 },
  '=f8': { dtype: 'float64', littleEndian: true, bytes: 8 },
  '>f8': { dtype: 'float64', littleEndian: false, bytes: 8 },
};

function parseHeaderDict(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`${source}: malformed .npy header ${JSON.stringify(text.trim())}`);
  const dims = (shape[1] as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new Error(`${source}: malformed .npy shape '(${shape[1]})'`);
      return n;
    });
  return { descr: descr[1] as string, fortran: fortran[1] === 'True', shape: dims };
}

/** ISO-8859-1 text of `bytes` (one character per byte; TextDecoder's 'latin1' is windows-1252). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/**
 * Parses the bytes of a `.npy` file (format versions 1.0, 2.0, 3.0; float32/float64, either byte
 * order, C or Fortran order — Fortran arrays are returned in row-major order). `source` names the file
 * in error messages.
 */
export function parseNpy(bytes: Uint8Array, source = '<buffer>'): NpyArray {
  if (bytes.length === 0) throw new Error(`${source}: empty file, not a .npy array`);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error(`${source}: not a .npy file (bad magic bytes)`);
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${source}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`${source}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLen > bytes.length) throw new Error(`${source}: truncated .npy header (${bytes.length} bytes)`);
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  const header = major === 3 ? new TextDecoder().decode(headerBytes) : latin1(headerBytes);
  const { descr, fortran, shape } = parseHeaderDict(header, source);
  const kind = DESCR[descr];
  if (!kind) throw new Error(`${source}: unsupported dtype '${descr}' (expected float32 '<f4' or float64 '<f8')`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLen;
  const need = count * kind.bytes;
  const have = bytes.length - dataStart;
  if (have < need) throw new Error(`${source}: truncated .npy data: shape (${shape.join(', ')}) needs ${need} bytes, file has ${have}`);
  if (have > need) throw new Error(`${source}: .npy data has ${have - need} trailing bytes after shape (${shape.join(', ')})`);
  const data = kind.dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const off = dataStart + i * kind.bytes;
    data[i] = kind.bytes === 4 ? view.getFloat32(off, kind.littleEndian) : view.getFloat64(off, kind.littleEndian);
  }
  const out: NpyArray = { dtype: kind.dtype, shape, data };
  return fortran && shape.length > 1 ? fortranToC(out) : out;
}

/** Reorders a column-major (Fortran) array to row-major. */
function fortranToC(a: NpyArray): NpyArray {
  const { shape } = a;
  const n = shape.length;
  const out = a.dtype === 'float32' ? new Float32Array(a.data.length) : new Float64Array(a.data.length);
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < a.data.length; c++) {
    // c iterates row-major; compute the Fortran offset of the same multi-index.
    let f = 0;
    let stride = 1;
    for (let k = 0; k < n; k++) {
      f += (idx[k] as number) * stride;
      stride *= shape[k] as number;
    }
    out[c] = a.data[f] as number;
    for (let k = n - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[k] as number)) break;
      idx[k] = 0;
    }
  }
  return { dtype: a.dtype, shape: shape.slice(), data: out };
}

/** Serialises an array to `.npy` version 1.0 bytes (little-endian, C order, header padded to 64 bytes). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`encodeNpy: shape (${array.shape.join(', ')}) has ${count} elements but data has ${array.data.length}`);
  const descr = array.dtype === 'float32' ? '<f4' : '<f8';
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const bytesPer = array.dtype === 'float32' ? 4 : 8;
  const out = new Uint8Array(10 + header.length + count * bytesPer);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i); // ASCII
  const start = 10 + header.length;
  for (let i = 0; i < count; i++) {
    if (bytesPer === 4) view.setFloat32(start + 4 * i, array.data[i] as number, true);
    else view.setFloat64(start + 8 * i, array.data[i] as number, true);
  }
  return out;
}
