import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The name of the lock file inside a locked folder. */
export const LOCK_FILE = '.ccl.lock';

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** What holds the folder, e.g. "ccl train". */
  what: string;
  since: string;
}

export interface FolderLockOptions {
  /** What is taking the folder, recorded in the lock and named in errors (default "ccl"). */
  what?: string;
  /** Told when a stale lock (its process is dead) is taken over; default: a line on stderr. */
  onNotice?: (message: string) => void;
}

/** Whether process `pid` exists on this host (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null; // vanished, or a half-written lock of a killed process
  }
}

/**
 * Takes `dir` for this process: creates `dir/.ccl.lock` exclusively (pid, host, what, since) and
 * returns the function that releases it. A second process that asks for the same folder gets an error
 * naming the holder. A lock left by a dead process on this host (or an unreadable one) is taken over
 * with a notice; a lock held from another host is never taken over, since its process cannot be checked
 * from here. The lock is also removed when the process exits normally.
 */
export function acquireFolderLock(dir: string, options: FolderLockOptions = {}): () => void {
  const what = options.what ?? 'ccl';
  const notice = options.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
  const body = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, body, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const holder = readHolder(file);
    if (holder && holder.pid === me.pid && holder.host === me.host) {
      throw new Error(`${dir}: already locked by this process (${holder.what}, lock file ${file})`);
    }
    if (holder && (holder.host !== me.host || processAlive(holder.pid))) {
      throw new Error(
        `${dir}: in use by ${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.since}); wait for it to finish` +
          (holder.host !== me.host ? `, or remove ${file} if that process is gone` : ''),
      );
    }
    // stale: its process is dead (or the file is unreadable); take it over
    notice(
      holder
        ? `${dir}: taking over a stale lock of ${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.since}; that process is gone)`
        : `${dir}: taking over an unreadable lock file ${file}`,
    );
    fs.rmSync(file, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    const holder = readHolder(file);
    if (holder && holder.pid === me.pid && holder.host === me.host && holder.since === me.since) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
