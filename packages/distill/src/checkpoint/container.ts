
/**
 * Checkpoint container: the safetensors layout (8-byte little-endian header length, JSON header with
 * `dtype`, `shape`, `data_offsets` per tensor and a string `__metadata__`, then the raw little-endian data),
 * restricted to F32 and I32, so checkpoints open with the `safetensors` Python package too.
 * Writes are atomic (@ccl/data's writeFileAtomicSync: a temporary file in the same folder, fsync, rename).
 */
export interface StoredTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

const DTYPE_TO_ST = { float32: 'F32', int32: 'I32' } as const;
const ST_TO_DTYPE: Record<string, 'float32' | 'int32'> = { F32: 'float32', I32: 'int32' };

export function encodeContainer(tensors: Record<string, StoredTensor>, metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    const bytes = t.data.byteLength;
    header[name] = { dtype: DTYPE_TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align the data section
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, at);
    at += d.byteLength;
  }
  return out;
}

export function decodeContainer(buf: Buffer, file: string): { tensors: Record<string, StoredTensor>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new Error(`${file}: not a checkpoint (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n <= 0 || 8 + n > buf.length) throw new Error(`${file}: truncated or not a checkpoint (header of ${n} bytes in a ${buf.length}-byte file)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw new Error(`${file}: corrupt checkpoint header`);
  }
  const base = 8 + n;
  const tensors: Record<string, StoredTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dtype = ST_TO_DTYPE[e.dtype];
    if (!dtype) throw new Error(`${file}: tensor '${name}' has dtype ${e.dtype}; checkpoints hold F32 and I32`);
    const [b, end] = e.data_offsets;
    if (base + end > buf.length) throw new Error(`${file}: truncated (tensor '${name}' ends past the end of the file)`);
    const bytes = new Uint8Array(buf.subarray(base + b, base + end)); // copy: aligned and detached from the file buffer
    tensors[name] = { dtype, shape: e.shape, data: dtype === 'float32' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer) };
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
