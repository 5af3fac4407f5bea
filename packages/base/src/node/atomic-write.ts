import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export interface AtomicWriteOptions {
  /**
   * false skips the fsync (still atomic for readers, but a power loss may lose the file): for bulk writes
   * of many small files. Default true.
   */
  durable?: boolean;
  /** What is written (`safetensors`, `tfjs model`), put before the file name in error messages. */
  what?: string;
}

/** A unique temporary name next to `file` (same folder, so the final rename is atomic on POSIX). */
export function tempPathFor(file: string): string {
  counter += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/** What a temporary name made by {@link tempPathFor} says: the file it stands for and its writer's pid; null when `name` is not one. */
export function parseTempName(name: string): { target: string; pid: number } | null {
  const m = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/.exec(name);
  return m ? { target: m[1]!, pid: Number(m[2]) } : null;
}

/**
 * Writes `data` to `file` atomically: the bytes go to a temporary file in the same folder, are
 * fsync'ed, and the temporary file is renamed over `file`. A reader never sees a half-written file and a
 * killed writer leaves at most a stray `.tmp` file. Missing folders are created. A failure throws
 * `[what ]file: cannot write: <cause>`, naming the target (not the temporary file).
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const tmp = tempPathFor(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at); // large buffers may need several writes
      if (options.durable !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // a failed write (a full disk) or rename leaves no stray file
    throw writeError(options.what === undefined ? file : `${options.what} ${file}`, err);
  }
}

/** `target: cannot write: <cause>`, keeping the cause's `code` (ENOSPC, EACCES). */
function writeError(target: string, err: unknown): Error {
  const cause = err as NodeJS.ErrnoException;
  return Object.assign(
    new Error(`${target}: cannot write: ${cause?.message ?? String(err)}`, { cause: err }),
    cause?.code === undefined ? {} : { code: cause.code },
  );
}

/** Writes JSON (2-space indented, trailing newline) atomically. */
export function writeJsonAtomicSync(file: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`, options);
}
