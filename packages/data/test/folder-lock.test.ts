import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireFolderLock, LOCK_FILE } from '../src';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-lock-'));
const writeLock = (dir: string, holder: Record<string, unknown>) => fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(holder));

describe('acquireFolderLock', () => {
  it('creates the lock with pid and host, and release removes it', () => {
    const dir = tmp();
    const release = acquireFolderLock(dir, { what: 'ccl test' });
    const holder = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname(), what: 'ccl test' });
    release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    release(); // twice is harmless
  });

  it('refuses a folder that this process already holds', () => {
    const dir = tmp();
    const release = acquireFolderLock(dir);
    expect(() => acquireFolderLock(dir)).toThrow(/already locked by this process/);
    release();
  });

  it('refuses a folder held by a live process, naming it, and leaves its lock alone', () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeLock(dir, { pid: child.pid, host: os.hostname(), what: 'ccl train', since: '2026-01-01T00:00:00Z' });
      expect(() => acquireFolderLock(dir)).toThrow(new RegExp(`in use by ccl train \\(pid ${child.pid} on ${os.hostname()}`));
      expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over the lock of a dead process with a notice', () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
    writeLock(dir, { pid: dead, host: os.hostname(), what: 'ccl data prepare', since: '2026-01-01T00:00:00Z' });
    const notices: string[] = [];
    const release = acquireFolderLock(dir, { onNotice: (m) => notices.push(m) });
    expect(notices).toEqual([expect.stringMatching(new RegExp(`stale lock of ccl data prepare \\(pid ${dead}`))]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('takes over an unreadable (half-written) lock file with a notice', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    const notices: string[] = [];
    acquireFolderLock(dir, { onNotice: (m) => notices.push(m) })();
    expect(notices[0]).toMatch(/unreadable lock file/);
  });

  it('never takes over a lock from another host, and says how to clear it', () => {
    const dir = tmp();
    writeLock(dir, { pid: 1, host: `not-${os.hostname()}`, what: 'ccl train', since: '2026-01-01T00:00:00Z' });
    expect(() => acquireFolderLock(dir)).toThrow(/in use by ccl train .*remove .*\.ccl\.lock if that process is gone/);
  });
});
