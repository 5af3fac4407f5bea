import { StorageType, type StorageRef } from './torch-globals';

/**
 * torch's persistent id of a storage, checked: ('storage', storage_type, key, location, numel) in a zip
 * archive, with a sixth element (view_metadata: None or (view_key, offset, view_size)) in a legacy file.
 * The same key always names the same storage (several tensors may view one storage). `numel` counts
 * elements of the storage's dtype (bytes for torch.UntypedStorage).
 */
export function storageRefReader(withViews: boolean): { read: (pid: unknown) => StorageRef; refs: Map<string, StorageRef> } {
  const refs = new Map<string, StorageRef>();
  const read = (pid: unknown): StorageRef => {
    const expected = withViews ? 6 : 5;
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== expected) {
      const what =
        Array.isArray(pid) && pid[0] === 'module' ? 'a pickled nn.Module with its source (save model.state_dict() instead)' : `persistent id ${String(pid)}`;
      throw new Error(`unexpected ${what}`);
    }
    const [, type, key, , numel, view] = pid as [string, unknown, unknown, unknown, unknown, unknown];
    if (!(type instanceof StorageType)) throw new Error(`storage reference without a storage type (${String(type)})`);
    if (typeof key !== 'string') throw new Error(`storage key ${String(key)} is not a string`);
    if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw new Error(`storage '${key}' has an invalid size ${String(numel)}`);
    const known = refs.get(key);
    if (known && (known.dtype !== type.dtype || known.numel !== numel))
      throw new Error(`storage '${key}' is referenced as ${known.dtype} and as ${type.dtype}`);
    const root: StorageRef = known ?? { kind: 'storage', key, dtype: type.dtype, numel: numel as number, viewOffset: 0 };
    refs.set(key, root);
    if (view === null || view === undefined) return root;
    // legacy storage views (torch < 1.0): a window of the root storage, in elements
    if (!Array.isArray(view) || view.length !== 3 || !Number.isSafeInteger(view[1]) || !Number.isSafeInteger(view[2]))
      throw new Error(`storage '${key}' has an invalid view ${String(view)}`);
    const [, offset, viewSize] = view as [unknown, number, number];
    if (offset < 0 || viewSize < 0 || offset + viewSize > root.numel)
      throw new Error(`storage view [${offset}, +${viewSize}) lies outside storage '${key}' (${root.numel} elements)`);
    return { ...root, numel: offset + viewSize, viewOffset: offset };
  };
  return { read, refs };
}
