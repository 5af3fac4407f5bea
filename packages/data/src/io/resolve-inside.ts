import * as path from 'node:path';

/**
 * `dir` joined with `parts`, resolved, and checked to stay strictly inside `dir` (throws naming both
 * otherwise). `pathApi` defaults to the host's rules; pass `path.win32` / `path.posix` to check others.
 */
export function resolveInside(dir: string, parts: string | readonly string[], pathApi: path.PlatformPath = path): string {
  const base = pathApi.resolve(dir);
  const list = typeof parts === 'string' ? [parts] : parts;
  const full = pathApi.resolve(base, ...list);
  const rel = pathApi.relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${pathApi.sep}`) || pathApi.isAbsolute(rel)) {
    throw new Error(`${list.join(pathApi.sep)}: resolves to ${full}, which is not inside ${base}`);
  }
  return full;
}
