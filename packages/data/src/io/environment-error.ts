/**
 * errno codes that say the machine failed, not the file being read: a full disk, no permission, a
 * read-only or failing disk, no file descriptors or memory left, a path blocked by a file or folder.
 */
export const ENVIRONMENT_ERRNO_CODES: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'EACCES',
  'EPERM',
  'EROFS',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EIO',
  'EBUSY',
  'ETXTBSY',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
]);

/**
 * An error of the environment rather than of the data (ffmpeg missing, the cache disk full...): a batch
 * job stops on it instead of skipping the item it was working on. The message is one line naming the
 * file and the problem.
 */
export class EnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvironmentError';
  }
}

/** Whether `err`, or an error in its `cause` chain, is an {@link EnvironmentError} or carries an environment errno code. */
export function isEnvironmentError(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EnvironmentError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && ENVIRONMENT_ERRNO_CODES.has(code)) return true;
  }
  return false;
}
