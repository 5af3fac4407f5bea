import * as tf from '@tensorflow/tfjs-core';
import { bf16ToFloat, floatToBf16, floatToHalf, halfToFloat } from './half';

/**
 * safetensors (https://github.com/huggingface/safetensors, format spec in its README):
 *     [u64 little-endian N][N bytes of JSON header][data]
 *     header = { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {str: str} }
 * offsets are relative to the start of the data section; tensors are little-endian, row-major.
 *
 * A torch checkpoint converts in one line of Python (torch + safetensors installed):
 *     python -c "import torch,sys; from safetensors.torch import save_file; sd=torch.load(sys.argv[1], map_location='cpu'); sd=sd.get('state_dict', sd); save_file({k.removeprefix('module.'): v.contiguous() for k, v in sd.items()}, sys.argv[2])" ckpt.pth ckpt.safetensors
 */

/** dtypes read; floats become float32, integers int32 (I64 must fit), BOOL bool. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface WriteSafetensorsOptions {
  /** storage dtype of float32 tensors (default F32). */
  floatDtype?: 'F32' | 'F16' | 'BF16';
  /** storage dtype of int32 tensors (default I64, torch's integer buffers such as num_batches_tracked). */
  intDtype?: 'I32' | 'I64';
  /** string metadata stored as `__metadata__` (default { format: 'pt' }). */
  metadata?: Record<string, string>;
}

function fail(source: string, what: string): never {
  throw new Error(`safetensors ${source}: ${what}`);
}

function decode(
  view: DataView,
  dtype: SafetensorsDtype,
  count: number,
): { values: Float32Array | Int32Array | Uint8Array; dtype: 'float32' | 'int32' | 'bool' } {
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return { values: out, dtype: 'float32' };
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return { values: out, dtype: 'float32' };
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return { values: out, dtype: 'float32' };
    }
    case 'BF16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bf16ToFloat(view.getUint16(2 * i, true));
      return { values: out, dtype: 'float32' };
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new RangeError(`I64 value ${v} does not fit int32`);
        out[i] = Number(v);
      }
      return { values: out, dtype: 'int32' };
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return { values: out, dtype: 'int32' };
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      return { values: out, dtype: 'int32' };
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return { values: out, dtype: 'int32' };
    }
    case 'U8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return { values: out, dtype: 'int32' };
    }
    case 'BOOL': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      return { values: out, dtype: 'bool' };
    }
  }
}

/**
 * Parses the header of a safetensors byte buffer (validated). `fileSize` (default: the buffer's length)
 * lets `bytes` be only the file's first 8 + N bytes: offsets are checked against the whole file's size.
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  source = '<buffer>',
  fileSize = bytes.length,
): { entries: Record<string, SafetensorsEntry>; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) fail(source, `file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) fail(source, `header length ${headerLength} exceeds the file size ${bytes.length}`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    fail(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(source, 'header is not a JSON object');
  const dataLength = fileSize - dataStart;
  const entries: Record<string, SafetensorsEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as Partial<SafetensorsEntry>;
    if (typeof e !== 'object' || e === null) fail(source, `entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES))
      fail(source, `tensor '${name}' has unsupported dtype '${String(e.dtype)}' (supported: ${Object.keys(BYTES).join(', ')})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(source, `tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0))
      fail(source, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const expected = e.shape.reduce((a, b) => a * b, 1) * BYTES[e.dtype];
    if (end - begin !== expected)
      fail(source, `tensor '${name}' (${e.dtype} [${e.shape.join(', ')}]) needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    if (end > dataLength) fail(source, `tensor '${name}' ends at byte ${end} of a ${dataLength}-byte data section (truncated file?)`);
    entries[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [begin, end] };
  }
  checkDisjoint(entries, source);
  return { entries, metadata, dataStart };
}

/**
 * Refuses tensors whose data ranges overlap (each tensor owns its bytes, as the format's writers lay them
 * out): ordered by start, each range must begin at or after the previous one's end. Overlapping views
 * would let a small file decode into many times its size.
 */
function checkDisjoint(entries: Record<string, SafetensorsEntry>, source: string): void {
  const byStart = Object.entries(entries)
    .filter(([, e]) => e.data_offsets[1] > e.data_offsets[0]) // an empty tensor owns no bytes
    .sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1]);
  for (let i = 1; i < byStart.length; i++) {
    const [prevName, prev] = byStart[i - 1]!;
    const [name, e] = byStart[i]!;
    if (e.data_offsets[0] < prev.data_offsets[1]) {
      fail(
        source,
        `tensor '${name}' (data_offsets [${e.data_offsets.join(', ')}]) overlaps tensor '${prevName}' (data_offsets [${prev.data_offsets.join(', ')}])`,
      );
    }
  }
}

/** Options of {@link parseSafetensors}. */
export interface ParseSafetensorsOptions {
  /** Decode only the tensors whose names pass (default: all); the others' bytes are never read. */
  only?: (name: string) => boolean;
}

/**
 * Decodes safetensors bytes into tensors (caller disposes). The header is checked first (dtypes, shapes,
 * sizes, ranges inside the data section and not overlapping), so a malformed file decodes nothing.
 */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>', options: ParseSafetensorsOptions = {}): Record<string, tf.Tensor> {
  const { entries, dataStart } = parseSafetensorsHeader(bytes, source);
  const raw: Record<string, RawTensor> = {};
  for (const [name, e] of Object.entries(entries)) {
    if (options.only && !options.only(name)) continue;
    const [begin, end] = e.data_offsets;
    raw[name] = { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + begin, dataStart + end) };
  }
  return rawTensorsToStateDict(raw, `safetensors ${source}`);
}

/**
 * A tensor as bytes: `data` holds its elements row-major (contiguous), little-endian, in `dtype`
 * (safetensors' data layout). What `serializeRawSafetensors` writes and a PyTorch checkpoint import gives.
 */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** Bytes per element of a safetensors dtype. */
export function dtypeBytes(dtype: SafetensorsDtype): number {
  return BYTES[dtype];
}

/**
 * Raw tensors -> tfjs tensors (caller disposes): floats become float32, integers int32 (an I64 value must
 * fit), BOOL bool. An error names `source` and the tensor; nothing stays allocated then.
 */
export function rawTensorsToStateDict(tensors: Record<string, RawTensor>, source = '<buffer>'): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    let decoded;
    try {
      if (t.data.byteLength !== count * BYTES[t.dtype])
        throw new Error(`${t.dtype} [${t.shape.join(', ')}] needs ${count * BYTES[t.dtype]} bytes, got ${t.data.byteLength}`);
      decoded = decode(new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength), t.dtype, count);
    } catch (err) {
      tf.dispose(Object.values(out));
      throw new Error(`${source}: tensor '${name}': ${(err as Error).message}`);
    }
    out[name] = tf.tensor(decoded.values, t.shape, decoded.dtype);
  }
  return out;
}

function storageDtype(t: tf.Tensor, options: WriteSafetensorsOptions): SafetensorsDtype {
  if (t.dtype === 'float32') return options.floatDtype ?? 'F32';
  if (t.dtype === 'int32') return options.intDtype ?? 'I64';
  if (t.dtype === 'bool') return 'BOOL';
  throw new Error(`dtype ${t.dtype} cannot be stored`);
}

/** safetensors is little-endian; so are the hosts Node and browsers run on, checked once. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function encode(values: ArrayLike<number>, dtype: SafetensorsDtype, view: DataView): void {
  if (LITTLE_ENDIAN_HOST && ((dtype === 'F32' && values instanceof Float32Array) || (dtype === 'I32' && values instanceof Int32Array))) {
    // same bytes: one copy instead of a DataView call per element (checkpoints of 14 M parameters)
    new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return;
  }
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (dtype === 'F32') view.setFloat32(4 * i, v, true);
    else if (dtype === 'F16') view.setUint16(2 * i, floatToHalf(v), true);
    else if (dtype === 'BF16') view.setUint16(2 * i, floatToBf16(v), true);
    else if (dtype === 'I64') view.setBigInt64(8 * i, BigInt(v), true);
    else if (dtype === 'I32') view.setInt32(4 * i, v, true);
    else view.setUint8(i, v === 0 ? 0 : 1);
  }
}

/**
 * The file's layout for tensors of these dtypes and shapes, in order: the output buffer with the header
 * written (padded to 8 bytes), and where each tensor's bytes go in it.
 */
function layOut(
  items: { name: string; dtype: SafetensorsDtype; shape: readonly number[] }[],
  metadata: Record<string, string>,
): { out: Uint8Array; begins: number[] } {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const begins: number[] = [];
  let offset = 0;
  for (const { name, dtype, shape } of items) {
    const size = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    header[name] = { dtype, shape, data_offsets: [offset, offset + size] };
    begins.push(offset);
    offset += size;
  }
  const utf8 = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(utf8.length / 8) * 8; // padded with spaces (one byte each in UTF-8)
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(utf8, 8);
  out.fill(0x20, 8 + utf8.length, 8 + headerLength);
  return { out, begins: begins.map((b) => 8 + headerLength + b) };
}

/** Encodes tensors as safetensors bytes (keys in insertion order, header padded to 8 bytes). */
export function serializeSafetensors(dict: Record<string, tf.Tensor>, options: WriteSafetensorsOptions = {}): Uint8Array {
  const items = Object.entries(dict).map(([name, t]) => {
    try {
      return { name, t, dtype: storageDtype(t, options), shape: t.shape };
    } catch (e) {
      throw new Error(`safetensors: tensor '${name}': ${(e as Error).message}`);
    }
  });
  const { out, begins } = layOut(items, options.metadata ?? { format: 'pt' });
  items.forEach(({ t, dtype }, i) => {
    const view = new DataView(out.buffer, out.byteOffset + begins[i]!, t.size * BYTES[dtype]);
    encode(t.dataSync() as ArrayLike<number>, dtype, view);
  });
  return out;
}

/**
 * Encodes raw tensors (each keeps its own dtype: F16 stays F16, I64 values beyond int32 stay exact) as
 * safetensors bytes, keys in insertion order; `metadata` default { format: 'pt' }.
 */
export function serializeRawSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const items = Object.entries(tensors).map(([name, t]) => {
    const expected = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    if (t.data.byteLength !== expected)
      throw new Error(`safetensors: tensor '${name}' (${t.dtype} [${t.shape.join(', ')}]) needs ${expected} bytes, got ${t.data.byteLength}`);
    return { name, ...t };
  });
  const { out, begins } = layOut(items, metadata);
  items.forEach((t, i) => out.set(t.data, begins[i]!));
  return out;
}
