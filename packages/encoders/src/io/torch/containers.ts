import { unzipSync, type UnzipFileInfo } from 'fflate';
import { dtypeBytes } from '../safetensors';
import type { StorageBytes } from './materialize';
import { storageRefReader } from './storage-ref';
import { torchGlobals, type StorageRef } from './torch-globals';
import { unpickle } from './unpickle';

/** A checkpoint's pickled object, and the bytes of the storages it refers to (read on demand). */
export interface TorchContainer {
  format: 'zip' | 'legacy';
  /** The object torch.save pickled (dicts are Maps, tensors TensorRefs). */
  root: unknown;
  /** The bytes of these storages, each checked to hold the elements its references claim. */
  storages(keys: Iterable<string>): Map<string, StorageBytes>;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
/** torch's legacy MAGIC_NUMBER 0x1950a86a20f9469cfc6c, as the 10 little-endian bytes of a pickled LONG1. */
const LEGACY_MAGIC = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/**
 * The end of the legacy magic-number pickle (PROTO n, an optional FRAME, LONG1 of the 10 magic bytes,
 * STOP), or -1. Matched by hand: the number is wider than the 64 bits pickleparser reads.
 */
function legacyMagicEnd(bytes: Uint8Array): number {
  if (bytes[0] !== 0x80) return -1;
  let at = 2;
  if (bytes[at] === 0x95) at += 9; // FRAME + 8-byte length (protocol 4+)
  if (bytes[at] !== 0x8a || bytes[at + 1] !== 10 || !startsWith(bytes, LEGACY_MAGIC, at + 2) || bytes[at + 12] !== 0x2e) return -1;
  return at + 13;
}

/** Which torch.save format `bytes` are, or null. */
export function torchFormat(bytes: Uint8Array): 'zip' | 'legacy' | 'tar' | null {
  if (startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, ZIP_EMPTY)) return 'zip';
  if (legacyMagicEnd(bytes) > 0) return 'legacy';
  if (bytes.length > 262 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar') return 'tar';
  return null;
}

function checkStorage(ref: StorageRef, available: number, where: string): void {
  const needed = ref.numel * dtypeBytes(ref.dtype);
  if (needed > available)
    throw new Error(`storage '${ref.key}' needs ${needed} bytes (${ref.numel} ${ref.dtype}), ${where} holds ${available} (truncated file?)`);
}

/**
 * torch.save's zip archive (PyTorch >= 1.6): `<name>/data.pkl` (the pickle), `<name>/data/<key>` (each
 * storage's raw bytes), `<name>/byteorder` ('little' or 'big'; absent: little). The entries are listed
 * first; the pickle is unpacked and read; a storage is unpacked only when asked for, after its entry's size
 * is checked against what the pickle claims. Zip parsing: fflate's unzipSync.
 */
export function readZipCheckpoint(bytes: Uint8Array): TorchContainer {
  const entries = new Map<string, UnzipFileInfo>();
  try {
    unzipSync(bytes, { filter: (f) => (entries.set(f.name, f), false) });
  } catch (err) {
    throw new Error(`not a readable zip archive (${(err as Error).message}; truncated file?)`);
  }
  const pickleName = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pickleName) throw new Error(`zip archive without '<name>/data.pkl': not a torch.save file (entries: ${[...entries.keys()].slice(0, 5).join(', ')})`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const unpack = (names: string[]): Record<string, Uint8Array> => {
    for (const name of names) {
      const e = entries.get(name)!;
      if (e.compression !== 0 && e.compression !== 8)
        throw new Error(`entry '${name}' uses zip compression method ${e.compression} (torch.save stores entries)`);
      if (e.compression === 8 && e.originalSize > e.size * 1032 + 1024)
        throw new Error(`entry '${name}' claims ${e.originalSize} bytes from ${e.size} deflated ones`);
    }
    const wanted = new Set(names);
    try {
      return unzipSync(bytes, { filter: (f) => wanted.has(f.name) });
    } catch (err) {
      throw new Error(`cannot unpack ${names.join(', ')} (${(err as Error).message})`);
    }
  };
  const head = unpack([pickleName, ...(entries.has(`${prefix}byteorder`) ? [`${prefix}byteorder`] : [])]);
  const order = head[`${prefix}byteorder`] ? new TextDecoder().decode(head[`${prefix}byteorder`]).trim() : 'little';
  if (order !== 'little' && order !== 'big') throw new Error(`${prefix}byteorder says '${order}'`);
  const pickle = head[pickleName]!;
  if (pickle.length !== entries.get(pickleName)!.originalSize) throw new Error(`${pickleName} is truncated`);
  const storageRefs = storageRefReader(false);
  const { value } = unpickle(pickle, 0, { globals: torchGlobals(), persistentLoad: storageRefs.read, label: pickleName });
  return {
    format: 'zip',
    root: value,
    storages(keys) {
      const names = new Map<string, StorageRef>();
      for (const key of keys) {
        const ref = storageRefs.refs.get(key)!;
        const name = `${prefix}data/${key}`;
        const entry = entries.get(name);
        if (!entry) throw new Error(`storage '${key}' has no entry '${name}' in the archive`);
        checkStorage(ref, entry.originalSize, `its entry '${name}'`);
        names.set(name, ref);
      }
      const files = unpack([...names.keys()]);
      const out = new Map<string, StorageBytes>();
      for (const [name, ref] of names) {
        const data = files[name]!;
        checkStorage(ref, data.length, `its entry '${name}'`);
        out.set(ref.key, { bytes: data, littleEndian: order === 'little' });
      }
      return out;
    },
  };
}

/**
 * torch.save's legacy format (PyTorch < 1.6, or `_use_new_zipfile_serialization=False`): five pickles in a
 * row (magic number, protocol version 1001, sys info, the object, the sorted storage keys), then each
 * storage in key order as an int64 little-endian element count followed by its raw little-endian bytes.
 * Every count and length is checked against the file before any byte is taken; storages are views of the
 * file's bytes, not copies.
 */
export function readLegacyCheckpoint(bytes: Uint8Array): TorchContainer {
  let at = legacyMagicEnd(bytes);
  const globals = torchGlobals();
  const next = (what: string, persistentLoad?: (pid: unknown) => unknown) => {
    if (at >= bytes.length) throw new Error(`the file ends before the ${what} (truncated file?)`);
    const r = unpickle(bytes, at, { globals, persistentLoad, label: `the ${what} pickle` });
    at = r.end;
    return r.value;
  };
  const protocol = next('protocol version');
  if (protocol !== 1001) throw new Error(`legacy protocol version ${String(protocol)}, expected 1001`);
  const sysInfo = next('system info');
  if (sysInfo instanceof Map && sysInfo.get('little_endian') === false) throw new Error('written on a big-endian machine: not read');
  const storageRefs = storageRefReader(true);
  const root = next('pickled object', storageRefs.read);
  const keys = next('storage keys');
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new Error('the storage key list is not a list of strings');
  const stored = new Map<string, StorageBytes>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys as string[]) {
    const ref = storageRefs.refs.get(key);
    if (!ref) throw new Error(`storage '${key}' is listed but never referenced`);
    if (at + 8 > bytes.length) throw new Error(`the file ends before storage '${key}' (truncated file?)`);
    const count = view.getBigInt64(at, true);
    const size = dtypeBytes(ref.dtype);
    if (count < 0n || count * BigInt(size) > BigInt(bytes.length - at - 8))
      throw new Error(`storage '${key}' claims ${count} ${ref.dtype} elements, the file has ${bytes.length - at - 8} bytes left (truncated file?)`);
    const nbytes = Number(count) * size;
    stored.set(key, { bytes: bytes.subarray(at + 8, at + 8 + nbytes), littleEndian: true });
    checkStorage(ref, nbytes, 'the file');
    at += 8 + nbytes;
  }
  return {
    format: 'legacy',
    root,
    storages(wanted) {
      const out = new Map<string, StorageBytes>();
      for (const key of wanted) {
        const s = stored.get(key);
        if (!s) throw new Error(`storage '${key}' is referenced but not stored in the file`);
        out.set(key, s);
      }
      return out;
    },
  };
}
