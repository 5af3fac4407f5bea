import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTempName, processAlive, tempPathFor } from '@ccl/base/node';

/** The name of the lock file inside a locked folder. */
export const LOCK_FILE = '.ccl.lock';

/**
 * Whether `name`, in a folder, is this module's: the lock file, a takeover guard beside it, or the
 * temporary file a lock is written to before it is linked into place.
 */
export function isLockEntry(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.takeover-`) || parseTempName(name)?.target.startsWith(LOCK_FILE) === true;
}

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** What holds the folder, e.g. "ccl train". */
  what: string;
  since: string;
  /** Random, per acquisition: tells this holder from a later one with the same pid. */
  nonce?: string;
}

export interface FolderLockOptions {
  /** What is taking the folder, recorded in the lock and named in errors (default "ccl"). */
  what?: string;
  /** Told when a stale lock (its process is dead) is taken over; default: a line on stderr. */
  onNotice?: (message: string) => void;
}

/** How many times acquisition looks again after losing a race (a lock released or taken over meanwhile). */
const MAX_ATTEMPTS = 200;
/** An unreadable lock younger than this may be one being written on a file system without hard links: waited for. */
const UNREADABLE_GRACE_MS = 1000;

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => void Atomics.wait(pause, 0, 0, ms);

interface LockFile {
  bytes: Buffer;
  /** null: not a lock record (a half-written or foreign file). */
  holder: LockHolder | null;
  mtimeMs: number;
}

/** The lock file at `file`; null when there is none. */
function readLock(file: string): LockFile | null {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    bytes = fs.readFileSync(file);
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let holder: LockHolder | null = null;
  try {
    const h = JSON.parse(bytes.toString('utf8')) as LockHolder;
    if (typeof h === 'object' && h !== null && Number.isInteger(h.pid) && typeof h.host === 'string') holder = h;
  } catch {
    // not JSON: unreadable
  }
  return { bytes, holder, mtimeMs };
}

/**
 * Creates `file` holding `body` only if it does not exist, whole: the body goes to a temporary file that is
 * then hard-linked into place (link fails when the name exists), so no reader ever sees the file empty or
 * half-written. False when `file` exists. On a file system without hard links it creates the file
 * exclusively and writes it (readers then wait out a young unreadable lock, see UNREADABLE_GRACE_MS).
 */
function createExclusive(file: string, body: string): boolean {
  const tmp = tempPathFor(file);
  try {
    fs.writeFileSync(tmp, body);
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  try {
    fs.writeFileSync(file, body, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Replaces `file` with `body` in one step (a temporary file renamed over it): the name never goes missing. */
function replaceWith(file: string, body: string): void {
  const tmp = tempPathFor(file);
  try {
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

const holderBody = (h: LockHolder) => `${JSON.stringify(h)}\n`;
const isMine = (h: LockHolder | null, me: LockHolder) => h !== null && h.pid === me.pid && h.host === me.host;

/**
 * Takes over the stale lock `file` (whose bytes were `stale`) for `me`, such that of several processes
 * taking over the same stale lock at once exactly one succeeds. The taker first creates the guard
 * `<file>.takeover-<digest of stale>` exclusively; holding it, it reads `file` again and only if it still
 * holds `stale` (which only the guard's holder may remove) renames its own lock over it. A guard left by a
 * killed taker is itself taken over the same way. True when `me` now holds `file`; false when another
 * process got there first or is doing it now (the caller reads the lock again).
 */
function takeOver(file: string, stale: Buffer, me: LockHolder, depth = 0): boolean {
  const guard = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  const guardHolder: LockHolder = { ...me, what: `taking over ${path.basename(file)}`, nonce: randomUUID() };
  if (!createExclusive(guard, holderBody(guardHolder))) {
    const g = readLock(guard);
    if (g === null) return false; // that taker finished: look at the lock again
    const takerAlive = g.holder !== null && (g.holder.host !== me.host || processAlive(g.holder.pid));
    if (takerAlive || (g.holder === null && Date.now() - g.mtimeMs < UNREADABLE_GRACE_MS)) {
      sleep(2);
      return false;
    }
    if (depth >= 3) throw new Error(`${file}: cannot take over a stale lock: its takeover guard ${guard} is stuck; remove both files`);
    if (!takeOver(guard, g.bytes, guardHolder, depth + 1)) return false;
  }
  try {
    const now = readLock(file);
    if (now === null || !now.bytes.equals(stale)) return false; // taken over (or removed) meanwhile
    replaceWith(file, holderBody(me));
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/**
 * Takes `dir` for this process and returns the function that releases it. The lock `dir/.ccl.lock`
 * (pid, host, what, since) is created whole and exclusively (written to a temporary file, then hard-linked
 * into place), so of processes asking at one instant exactly one gets the folder; the others get an error
 * naming the holder. A lock left by a dead process on this host (or an unreadable one) is taken over with a
 * notice, by exactly one of the processes that find it (see takeOver); a lock held from another host is
 * never taken over, since its process cannot be checked from here. The lock is also removed when the
 * process exits normally.
 */
export function acquireFolderLock(dir: string, options: FolderLockOptions = {}): () => void {
  const what = options.what ?? 'ccl';
  const notice = options.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString(), nonce: randomUUID() };
  for (let attempt = 0; ; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`${dir}: could not take the lock ${file}: it kept changing hands; try again`);
    if (createExclusive(file, holderBody(me))) break;
    const lock = readLock(file);
    if (lock === null) continue; // released meanwhile
    const { holder } = lock;
    if (isMine(holder, me)) throw new Error(`${dir}: already locked by this process (${holder!.what}, lock file ${file})`);
    if (holder && (holder.host !== me.host || processAlive(holder.pid))) {
      throw new Error(
        `${dir}: in use by ${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.since}); wait for it to finish` +
          (holder.host !== me.host ? `, or remove ${file} if that process is gone` : ''),
      );
    }
    if (!holder && Date.now() - lock.mtimeMs < UNREADABLE_GRACE_MS) {
      sleep(10); // perhaps being written (no hard links here): look again
      continue;
    }
    // stale: its process is dead (or the file is unreadable)
    if (!takeOver(file, lock.bytes, me)) continue;
    notice(
      holder
        ? `${dir}: taking over a stale lock of ${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.since}; that process is gone)`
        : `${dir}: taking over an unreadable lock file ${file}`,
    );
    break;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    const lock = readLock(file);
    if (lock?.holder && isMine(lock.holder, me) && lock.holder.nonce === me.nonce) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
