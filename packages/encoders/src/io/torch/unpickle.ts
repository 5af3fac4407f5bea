import { BufferReader, Parser } from 'pickleparser';
import { PyMarker, StorageType, type PickleGlobal } from './torch-globals';

/**
 * A pickle stream read without running anything: the opcodes are pickleparser's (npm `pickleparser`, a
 * pure TypeScript reader of protocols 0-5 whose name and persistent-id resolution are pluggable), the
 * meaning of globals is ours. pickleparser resolves a global through `nameResolver.resolve(module, name)`;
 * we answer from an allow-list and throw for every other name, so a hostile pickle's `os.system` or
 * `builtins.eval` is never looked up, let alone called. Dicts become `Map`s (keys of any type, no
 * prototype tricks with a `__proto__` key).
 */

/** A global outside the allow-list: the import stops, naming it. */
export class RefusedGlobalError extends Error {
  constructor(readonly global: string) {
    super(
      `refused to load global '${global}': not on the allow-list of what a PyTorch checkpoint may name (tensors, storages, OrderedDict, optimizer and scheduler state), so nothing was run`,
    );
  }
}

export interface UnpickleOptions {
  /** The allow-list: `module.name` -> what the global builds. */
  globals: ReadonlyMap<string, PickleGlobal | StorageType | PyMarker>;
  /** torch's persistent ids (storages); an absent resolver refuses them. */
  persistentLoad?: (pid: unknown) => unknown;
}

/**
 * Unpickles one pickle from `bytes` starting at `start`; returns the object and the offset just past its
 * STOP opcode (legacy checkpoints are several pickles in a row). `label` names the pickle in errors.
 */
export function unpickle(bytes: Uint8Array, start: number, o: UnpickleOptions & { label: string }): { value: unknown; end: number } {
  const parser = new Parser({
    nameResolver: {
      resolve(module: unknown, name: unknown) {
        const fqn = `${String(module)}.${String(name)}`;
        const found = typeof module === 'string' && typeof name === 'string' ? o.globals.get(fqn) : undefined;
        if (found === undefined) throw new RefusedGlobalError(fqn);
        return found as PickleGlobal;
      },
    },
    persistentResolver: {
      resolve(pid: unknown) {
        if (!o.persistentLoad) throw new Error('unexpected persistent id (storage reference) in this pickle');
        return o.persistentLoad(pid);
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  const reader = new BufferReader(bytes.subarray(start));
  try {
    const value = parser.read(reader);
    return { value, end: start + reader.position };
  } catch (err) {
    if (err instanceof RefusedGlobalError) throw err;
    throw new Error(`${o.label} at byte ${start + reader.position}: ${(err as Error).message} (corrupt or truncated file?)`);
  }
}
