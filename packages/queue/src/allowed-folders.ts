import * as fs from 'node:fs';
import * as path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { isPathInside, realPathOf } from '@ccl/base/node';

/**
 * The folders a worker may read from and write into (`ccl worker --allow DIR`), as real paths. A queue's jobs
 * come from whoever can write to its Redis: a job that names a path outside these folders is refused.
 */
export interface AllowedFolders {
  readonly roots: readonly string[];
  /**
   * Throws an `UnrecoverableError` (the job fails at once, not retried) naming `file` unless its real path
   * (symbolic links resolved, for the part of it that exists) is inside one of the roots. `what` says what
   * the path is for (`video`, `clip cache`...).
   */
  check(file: string, what: string): void;
}

/** Why a job was refused: the reason a failed job shows starts with this. */
export const REFUSED_PREFIX = 'refused: ';

/** The worker's allowed folders; each must be an existing folder (one line naming it otherwise). */
export function allowedFolders(dirs: readonly string[]): AllowedFolders {
  if (dirs.length === 0)
    throw new Error('a worker needs at least one --allow DIR: the folders its jobs may read and write (the videos, the clip cache, the features, the weights)');
  const roots = dirs.map((dir) => {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(dir));
    } catch {
      throw new Error(`--allow ${dir}: no such folder`);
    }
    if (!fs.statSync(real).isDirectory()) throw new Error(`--allow ${dir}: not a folder`);
    return real;
  });
  return {
    roots,
    check(file, what) {
      const refuse = (why: string) => new UnrecoverableError(`${REFUSED_PREFIX}${what} ${JSON.stringify(file)} ${why}`);
      if (!path.isAbsolute(file)) throw refuse('is not an absolute path');
      let real: string;
      try {
        real = realPathOf(file);
      } catch (err) {
        throw refuse(`cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (!roots.some((root) => isPathInside(root, real)))
        throw refuse(
          `is outside this worker's --allow folders (${roots.join(', ')})${roots.some((root) => isPathInside(root, path.resolve(file))) ? ' through a symbolic link' : ''}`,
        );
    },
  };
}
