import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireFolderLock, LOCK_FILE } from '../src/node';
import { bundleForNode } from '../../../tools/system/node-bundle';

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

  it('takes over an unreadable (half-written) lock file with a notice; a young one only after a second', () => {
    const dir = tmp();
    const lock = path.join(dir, LOCK_FILE);
    fs.writeFileSync(lock, '{"pid": 12');
    const minuteAgo = new Date(Date.now() - 60000);
    fs.utimesSync(lock, minuteAgo, minuteAgo);
    const notices: string[] = [];
    let t0 = Date.now();
    acquireFolderLock(dir, { onNotice: (m) => notices.push(m) })();
    expect(Date.now() - t0).toBeLessThan(1000); // taken at once: a young lock would have been waited on for a second first
    expect(notices[0]).toMatch(/unreadable lock file/);
    // just written: perhaps being written on a file system without hard links, so waited for first
    fs.writeFileSync(lock, '');
    t0 = Date.now();
    acquireFolderLock(dir, { onNotice: (m) => notices.push(m) })();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(notices[1]).toMatch(/unreadable lock file/);
  });

  it('takes over a stale lock whose takeover was begun by a process killed since (its guard file is left behind)', () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeLock(dir, { pid: dead, host: os.hostname(), what: 'ccl train', since: '2026-01-01T00:00:00Z' });
    const digest = createHash('sha256')
      .update(fs.readFileSync(path.join(dir, LOCK_FILE)))
      .digest('hex')
      .slice(0, 16);
    const guard = path.join(dir, `${LOCK_FILE}.takeover-${digest}`);
    fs.writeFileSync(guard, JSON.stringify({ pid: dead, host: os.hostname(), what: 'taking over .ccl.lock', since: '2026-01-01T00:00:01Z' }));
    const release = acquireFolderLock(dir, { onNotice: () => {} });
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    release();
  });

  it('never takes over a lock from another host, and says how to clear it', () => {
    const dir = tmp();
    writeLock(dir, { pid: 1, host: `not-${os.hostname()}`, what: 'ccl train', since: '2026-01-01T00:00:00Z' });
    expect(() => acquireFolderLock(dir)).toThrow(/in use by ccl train .*remove .*\.ccl\.lock if that process is gone/);
  });

  describe('many processes racing for one folder at the same instant', () => {
    const RACERS = 6;
    const TRIALS = 8; // half of them with a stale lock in the folder (a dead process's, or a half-written one), half with none
    // long enough that every racer asks while the folder is held even on a loaded 2-core machine (150 ms was not:
    // under the full suite a racer was scheduled 218 ms late)
    const HOLD_MS = 1000;
    let bundle = '';

    beforeAll(async () => {
      bundle = await bundleForNode(path.join(__dirname, 'helpers', 'lock-racer.ts'), path.join(tmp(), 'lock-racer.cjs'));
    });

    /** Runs RACERS processes through the trials (one folder each, started at one instant); their reports by trial. */
    async function race(dirs: string[]) {
      const first = Date.now() + 3000; // time for every racer to start, also on a loaded machine
      const starts = dirs.map((_, k) => first + k * (HOLD_MS + 60));
      const plan = JSON.stringify({ dirs, starts, holdMs: HOLD_MS });
      const outputs = await Promise.all(
        Array.from(
          { length: RACERS },
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, [bundle, plan], { stdio: ['ignore', 'pipe', 'inherit'] });
              let out = '';
              child.stdout.on('data', (c: Buffer) => (out += c.toString()));
              child.on('error', reject);
              child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`racer exited with ${code}`))));
            }),
        ),
      );
      const reports = outputs.flatMap((o) =>
        o
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { trial: number; pid: number; acquired: boolean; saw: string[]; late: number }),
      );
      return dirs.map((_, k) => reports.filter((r) => r.trial === k));
    }

    it('gives the folder to exactly one of them, with or without a stale lock there, and never to two at once', async () => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const dirs = Array.from({ length: TRIALS }, (_, k) => {
        const dir = tmp();
        if (k % 4 === 0) writeLock(dir, { pid: dead, host: os.hostname(), what: 'ccl train', since: '2026-01-01T00:00:00Z' });
        if (k % 4 === 2) {
          fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 1'); // a killed writer's half-written lock
          fs.utimesSync(path.join(dir, LOCK_FILE), new Date(0), new Date(0));
        }
        return dir;
      });
      const trials = await race(dirs);
      for (const reports of trials) {
        expect(reports).toHaveLength(RACERS);
        for (const r of reports) expect(r.late).toBeLessThan(HOLD_MS); // every racer asked while the folder was held: a real race
      }
      // per trial: how many racers got the folder, and how many of those held it while another did
      const outcome = trials.map((reports, k) => {
        const holders = reports.filter((r) => r.acquired);
        return {
          trial: k,
          lock: ['dead', 'none', 'unreadable', 'none'][k % 4],
          holders: holders.length,
          heldAtOnce: holders.filter((r) => r.saw.length > 0).length,
        };
      });
      expect(outcome).toEqual(dirs.map((_, k) => ({ trial: k, lock: ['dead', 'none', 'unreadable', 'none'][k % 4], holders: 1, heldAtOnce: 0 })));
      for (const dir of dirs) {
        expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false); // released by its holder
        expect(fs.readdirSync(dir).filter((f) => f !== 'holders')).toEqual([]); // no temporary file left behind
      }
    }, 60000);
  });
});
