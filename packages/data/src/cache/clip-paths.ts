import { resolveInside } from '../io/resolve-inside';
import { idToFileName } from '../io/safe-names';

/** File name of a sample in the cache: the id through the safe-name mapping (io/safe-names.ts), readable, not hashed. */
export function clipFileName(id: string): string {
  return idToFileName(id, '.clip');
}

/** `<cacheDir>/clips/<clipFileName(id)>`, checked to stay inside the cache. */
export function clipPath(cacheDir: string, id: string): string {
  return resolveInside(cacheDir, ['clips', clipFileName(id)]);
}
