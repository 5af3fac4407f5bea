import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestRedis, type TestRedis } from '../../../tools/system/redis-server';
import { bundleForNode } from '../../../tools/system/node-bundle';

/**
 * `ccl worker` as a process of its own against a real redis-server: its lines never show the password, and
 * SIGTERM ends it within a bound whatever Redis does (it kept running after Redis stopped, until SIGKILL).
 */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-worker-command-')));
let script: string;
let redis: TestRedis;

beforeAll(async () => {
  script = await bundleForNode(path.join(__dirname, 'helpers', 'ccl-main.ts'), path.join(__dirname, '..', '.test-build', 'ccl.cjs'));
  redis = await startTestRedis(path.join(dir, 'redis'), { password: 's3cret' });
});

afterAll(async () => {
  await redis?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function worker(...args: string[]): { child: ChildProcess; out: () => string; err: () => string; started: Promise<void> } {
  const child = spawn(process.execPath, [script, 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/waiting for jobs/.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`ccl worker exited ${code}: ${err}`)));
  });
  return { child, out: () => out, err: () => err, started };
}

function exitWithin(child: ChildProcess, ms: number): Promise<{ code: number | null; afterMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ccl worker still running ${ms} ms after SIGTERM`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, afterMs: Date.now() - t0 });
    });
  });
}

describe('ccl worker (a real process, a real redis-server)', () => {
  it('starts with its --allow folders, never prints the password, and stops at once on SIGTERM with Redis up', async () => {
    const w = worker('--queue', redis.url, '--allow', dir, '--allow', os.tmpdir(), '--concurrency', '2');
    await w.started;
    w.child.kill('SIGTERM');
    const exit = await exitWithin(w.child, 10000);
    expect(exit.code).toBe(0);
    expect(w.err()).toMatch(
      new RegExp(
        `^worker \\d+: waiting for jobs on redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(concurrency 2; jobs may read and write ${dir}, ${fs.realpathSync(os.tmpdir())}\\)\\n`,
      ),
    );
    expect(w.err()).toMatch(/stopped after the jobs in flight\n$/);
    expect(w.out()).toBe('0 jobs done, 0 failed\n');
    expect(w.out() + w.err()).not.toContain('s3cret');
  });

  it('Redis stopped first: SIGTERM ends it within 5 s, saying Redis is unreachable', async () => {
    const w = worker('--queue', redis.url, '--allow', dir);
    await w.started;
    await redis.stop();
    try {
      await new Promise((r) => setTimeout(r, 300));
      w.child.kill('SIGTERM');
      const exit = await exitWithin(w.child, 10000);
      expect(exit.code).toBe(0);
      expect(exit.afterMs).toBeLessThan(5000);
      expect(w.err()).toMatch(/stopped at once: Redis is unreachable; 0 job\(s\) unfinished go back to the queue when their locks expire\n$/);
      expect(w.err()).not.toContain('s3cret');
    } finally {
      await redis.start();
    }
  });
});
