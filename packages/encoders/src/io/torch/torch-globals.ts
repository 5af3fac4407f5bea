import type { SafetensorsDtype } from '../safetensors';

/**
 * The Python globals a PyTorch checkpoint may name, and what each means here. This table IS the safety
 * boundary of the import: Python's unpickler imports and calls whatever global a pickle names
 * (`os.system`, `builtins.eval`, ...); ours resolves only the names below, each to a small JS function that
 * builds plain data, and refuses every other name (see unpickle.ts). Nothing here touches files, processes
 * or the network.
 */

/** A storage as a checkpoint's pickle refers to it (its bytes are read after the pickle). */
export interface StorageRef {
  readonly kind: 'storage';
  /** `data/<key>` in a zip archive; the storage key of a legacy file. */
  readonly key: string;
  readonly dtype: SafetensorsDtype;
  /** Elements in the storage, as the pickle says. */
  readonly numel: number;
  /** Legacy files: a view of `key`'s storage starting at this element (0 otherwise). */
  readonly viewOffset: number;
}

/** A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view of a storage (element units). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    Object.freeze(this); // a pickle's BUILD opcode must not rewrite a tensor's geometry
  }
}

/** A `torch.device`, `torch.float32`, a type marker (`torch.Tensor`) or a numpy dtype: shown, never used. */
export class PyMarker {
  constructor(readonly name: string) {
    Object.freeze(this);
  }
  toString(): string {
    return this.name;
  }
}

/** A plain Python object rebuilt from its attributes (`argparse.Namespace`): attribute name -> value. */
export class PyObject {
  readonly attributes = new Map<unknown, unknown>();
  constructor(readonly className: string) {}
  /** pickle's BUILD: the object's `__dict__`. */
  __setstate__(state: unknown): void {
    if (state instanceof Map) for (const [k, v] of state) this.attributes.set(k, v);
  }
}

/** numpy dtype of a pickled numpy scalar: its type string (`f8`, `i8`, `b1`, ...) and byte order. */
class NumpyDtype {
  byteOrder = '<';
  constructor(readonly code: string) {}
  __setstate__(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteOrder = state[1];
  }
}

/** Storage classes by torch's names (`torch.FloatStorage`, ...) and the dtype they hold. */
export const STORAGE_DTYPES: Readonly<Record<string, SafetensorsDtype>> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
};

/** A storage class as the pickle names it; `persistent_load` reads its dtype. */
export class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: SafetensorsDtype,
  ) {
    Object.freeze(this);
  }
}

/** Globals a pickle calls (REDUCE, NEWOBJ) or names; each call checks its arguments. */
export type PickleGlobal = (...args: unknown[]) => unknown;

function fail(name: string, what: string): never {
  throw new Error(`${name}: ${what}`);
}

function intList(name: string, what: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(name, `${what} must be a tuple of integers >= 0, got ${String(v)}`);
  return v as number[];
}

/** torch._utils._rebuild_tensor(storage, storage_offset, size, stride) (and _v2's first four arguments). */
function rebuildTensor(name: string, args: unknown[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(typeof storage === 'object' && storage !== null && (storage as StorageRef).kind === 'storage')) fail(name, 'the first argument is not a storage');
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) fail(name, `storage offset must be an integer >= 0, got ${String(offset)}`);
  const shape = intList(name, 'size', size);
  const strides = intList(name, 'stride', stride);
  if (shape.length !== strides.length) fail(name, `size [${shape.join(', ')}] and stride [${strides.join(', ')}] differ in length`);
  return new TensorRef(storage as StorageRef, offset as number, shape, strides);
}

function asTensor(name: string, v: unknown): TensorRef {
  if (!(v instanceof TensorRef)) fail(name, 'expected a tensor');
  return v;
}

const NUMPY_SCALARS: Record<string, (view: DataView, little: boolean) => number | boolean> = {
  f8: (v, le) => v.getFloat64(0, le),
  f4: (v, le) => v.getFloat32(0, le),
  i8: (v, le) => Number(v.getBigInt64(0, le)),
  i4: (v, le) => v.getInt32(0, le),
  u8: (v, le) => Number(v.getBigUint64(0, le)),
  u4: (v, le) => v.getUint32(0, le),
  b1: (v) => v.getUint8(0) !== 0,
};

/** numpy.core.multiarray.scalar(dtype, bytes): a numpy number saved in a checkpoint (e.g. a best accuracy). */
function numpyScalar(name: string, dtype: unknown, bytes: unknown): number | boolean {
  if (!(dtype instanceof NumpyDtype) || !(bytes instanceof Uint8Array)) fail(name, 'expected a numpy dtype and bytes');
  const read = NUMPY_SCALARS[dtype.code];
  if (!read) fail(name, `numpy scalars of dtype '${dtype.code}' are not read`);
  const size = Number(dtype.code.slice(1));
  if (bytes.length < size) fail(name, `a '${dtype.code}' scalar needs ${size} bytes, got ${bytes.length}`);
  return read(new DataView(bytes.buffer, bytes.byteOffset, size), dtype.byteOrder !== '>');
}

const TORCH_DTYPES = [
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'int64',
  'long',
  'int32',
  'int',
  'int16',
  'int8',
  'uint8',
  'bool',
];

/**
 * The allow-list, as fresh functions for one file (frozen, so a pickle's BUILD cannot attach anything to
 * them): `module.name` -> what it builds. Every other global stops the import, named.
 */
export function torchGlobals(): Map<string, PickleGlobal | StorageType | PyMarker> {
  const table = new Map<string, PickleGlobal | StorageType | PyMarker>();
  const fn = (fqn: string, f: PickleGlobal) => table.set(fqn, Object.freeze(f));
  // containers: a state dict is an OrderedDict; an LR scheduler's milestones a Counter
  const mapOf = (fqn: string) => (items: unknown) => {
    const m = new Map<unknown, unknown>();
    if (items instanceof Map) {
      for (const [k, v] of items) m.set(k, v);
    } else if (Array.isArray(items)) {
      for (const pair of items) {
        if (!Array.isArray(pair) || pair.length !== 2) fail(fqn, 'expected a list of (key, value) pairs');
        m.set(pair[0], pair[1]);
      }
    } else if (items !== undefined) {
      fail(fqn, 'expected a dict or a list of pairs');
    }
    return m;
  };
  fn('collections.OrderedDict', mapOf('collections.OrderedDict'));
  fn('collections.Counter', mapOf('collections.Counter'));
  for (const mod of ['builtins', '__builtin__'])
    for (const set of ['set', 'frozenset']) fn(`${mod}.${set}`, (items?: unknown) => (Array.isArray(items) ? [...(items as unknown[])] : []));
  // Python 3 bytes pickled at protocol 2: _codecs.encode(text, 'latin1')
  fn('_codecs.encode', (text: unknown, encoding: unknown) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) fail('_codecs.encode', 'only latin1 text (pickled bytes) is read');
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  });
  // tensors and parameters
  fn('torch._utils._rebuild_tensor', (...args) => rebuildTensor('torch._utils._rebuild_tensor', args));
  fn('torch._utils._rebuild_tensor_v2', (...args) => rebuildTensor('torch._utils._rebuild_tensor_v2', args));
  fn('torch._utils._rebuild_parameter', (data: unknown) => asTensor('torch._utils._rebuild_parameter', data));
  fn('torch._utils._rebuild_parameter_with_state', (data: unknown) => asTensor('torch._utils._rebuild_parameter_with_state', data));
  fn('torch._tensor._rebuild_from_type_v2', (func: unknown, _type: unknown, args: unknown) => {
    if (typeof func !== 'function' || !Array.isArray(args)) fail('torch._tensor._rebuild_from_type_v2', 'expected a rebuild function and its arguments');
    return asTensor('torch._tensor._rebuild_from_type_v2', (func as PickleGlobal)(...(args as unknown[])));
  });
  for (const [storage, dtype] of Object.entries(STORAGE_DTYPES)) table.set(`torch.${storage}`, new StorageType(`torch.${storage}`, dtype));
  for (const marker of ['torch.Tensor', 'torch.nn.parameter.Parameter', ...TORCH_DTYPES.map((d) => `torch.${d}`)]) table.set(marker, new PyMarker(marker));
  // small values some checkpoints carry besides the weights
  fn(
    'torch.device',
    (type: unknown, index?: unknown) => new PyMarker(index === undefined || index === null ? String(type) : `${String(type)}:${String(index)}`),
  );
  fn('torch.Size', (dims: unknown) => intList('torch.Size', 'dims', dims));
  fn('torch.torch_version.TorchVersion', (v: unknown) => String(v));
  table.set(
    'argparse.Namespace',
    Object.freeze(
      class Namespace extends PyObject {
        constructor() {
          super('argparse.Namespace');
        }
      },
    ) as unknown as PickleGlobal,
  );
  for (const mod of ['numpy.core.multiarray', 'numpy._core.multiarray'])
    fn(`${mod}.scalar`, (dtype: unknown, bytes: unknown) => numpyScalar(`${mod}.scalar`, dtype, bytes));
  fn('numpy.dtype', (code: unknown) => {
    if (typeof code !== 'string' || !/^[a-z]\d$/.test(code)) fail('numpy.dtype', `unexpected dtype ${String(code)}`);
    return new NumpyDtype(code);
  });
  return table;
}

/** The names of the allow-list (documentation and error messages). */
export function allowedGlobalNames(): string[] {
  return [...torchGlobals().keys()];
}
