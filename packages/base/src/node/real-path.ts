import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `file` (made absolute) with the symbolic links of its longest existing prefix resolved: the real path it
 * names now, also for a file that does not exist yet (the missing part cannot be a link). Errors other than
 * a missing component (no permission, a link loop) are thrown.
 */
export function realPathOf(file: string): string {
  let head = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(head);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === head) throw err;
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** Whether absolute `file` is `root` or below it (plain path comparison: resolve links first with {@link realPathOf}). */
export function isPathInside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}
