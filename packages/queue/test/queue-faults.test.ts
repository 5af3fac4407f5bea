import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '@ccl/data';
import { closeMediaInfo, generateSyntheticAV, prepareClipCache, type PrepareReport } from '@ccl/data/media';
import { PREPARE_QUEUE, prepareClipCacheOnQueue, queueStatus } from '../src';
import { startTestRedis, type TestRedis } from '../../../tools/system/redis-server';
import { bundleWorker, spawnWorker, type WorkerProcess } from './helpers/worker-process';

/**
 * What Redis may do to a run and its workers, with real redis-server and worker processes: lose its data
 * (killed without persistence), go away before a worker is stopped, ask for a password (never printed).
 */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-queue-faults-')));
const SETTINGS = { shortSide: null } as const;
let script: string;
let manifest: Manifest;
let local: PrepareReport;
const servers: TestRedis[] = [];
const workers: WorkerProcess[] = [];

async function redis(options: { persist?: boolean; password?: string } = {}): Promise<TestRedis> {
  const r = await startTestRedis(path.join(dir, `redis-${servers.length}`), options);
  servers.push(r);
  return r;
}

async function worker(url: string, stopTimeoutMs?: number): Promise<WorkerProcess> {
  const w = await spawnWorker(script, url, { concurrency: 1, lockMs: 2000, allow: [dir], stopTimeoutMs });
  workers.push(w);
  return w;
}

/** Resolves to the exit of `w` and how long after now it came, or rejects after `ms`. */
function exitOf(w: WorkerProcess, ms: number): Promise<{ code: number | null; signal: string | null; afterMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${w.child.pid} still running ${ms} ms after SIGTERM; stderr: ${w.stderr().slice(-400)}`)), ms);
    w.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, afterMs: Date.now() - t0 });
    });
  });
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms).unref())]);

async function waitUntil(test: () => Promise<boolean>, what: string, ms = 20000): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  script = await bundleWorker(path.join(__dirname, '..', '.test-build'));
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 5,
    numClasses: 2,
    videosPerClass: 3,
    width: 32,
    height: 24,
    frames: 6,
    fps: 6,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
    concurrency: 2,
  });
  manifest = gen.manifest;
  local = await prepareClipCache({ manifest, cacheDir: path.join(dir, 'local'), ...SETTINGS, concurrency: 2 });
});

afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
});

afterAll(async () => {
  for (const r of servers) await r.stop();
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a worker stops on SIGTERM within a bound, whatever Redis does', () => {
  it('Redis up: it finishes and exits at once, saying so', async () => {
    const r = await redis();
    const w = await worker(r.url);
    w.child.kill('SIGTERM');
    const exit = await exitOf(w, 10000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterMs).toBeLessThan(5000);
    expect(w.stderr()).toMatch(/SIGTERM: stopping after the 0 job\(s\) in flight, within 20 s/);
    expect(w.stderr()).toMatch(/stopped after the jobs in flight\n$/);
    expect(w.events.at(-1)).toEqual({ kind: 'stopped', done: 0, failed: 0, stop: { forced: false } });
  });

  it('Redis stopped first: it exits within 5 s (not after its 20 s stop timeout), saying Redis is unreachable', async () => {
    const r = await redis();
    const w = await worker(r.url);
    await r.stop();
    await new Promise((res) => setTimeout(res, 300));
    w.child.kill('SIGTERM');
    const exit = await exitOf(w, 10000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterMs).toBeLessThan(5000);
    expect(w.stderr()).toMatch(/stopped at once: Redis is unreachable; 0 job\(s\) unfinished go back to the queue when their locks expire\n$/);
  });

  it('Redis frozen (SIGSTOP: connected, never answering): the stop timeout bounds the stop; a second signal stops at once', async () => {
    const r = await redis();
    const slow = await worker(r.url, 1500);
    const fast = await worker(r.url, 60000);
    const pid = r.pid();
    process.kill(pid, 'SIGSTOP');
    try {
      slow.child.kill('SIGTERM');
      fast.child.kill('SIGTERM');
      await new Promise((res) => setTimeout(res, 300));
      fast.child.kill('SIGTERM');
      const [a, b] = await Promise.all([exitOf(slow, 10000), exitOf(fast, 10000)]);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(slow.stderr()).toMatch(/stopped after 1\.5 s; 0 job\(s\) unfinished/);
      expect(fast.stderr()).toMatch(/stopped at once on a second signal/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});

describe('a run whose Redis loses its data (killed, restarted without persistence)', () => {
  it('adds the lost jobs again and completes: the same clips and skips as a local run', async () => {
    const r = await redis({ persist: false });
    const w = await worker(r.url);
    const cacheDir = path.join(dir, 'lost');
    const run = prepareClipCacheOnQueue({ queue: r.url, manifest, cacheDir, ...SETTINGS, pollMs: 200 });
    run.catch(() => {});
    await w.waitFor((e) => e.kind === 'completed');
    await r.kill();
    await r.start();
    const report = await within(run, 60000, 'the run after Redis lost its data');
    expect(report.total).toBe(local.total);
    expect(report.prepared + report.alreadyCached).toBe(local.prepared); // clips decoded before the loss count as cached
    expect(report.skipped).toEqual(local.skipped);
    expect(fs.readdirSync(path.join(cacheDir, 'clips')).sort()).toEqual(fs.readdirSync(path.join(dir, 'local', 'clips')).sort());
  });

  it('gives up with a clear error once jobs were lost more than maxLost times', async () => {
    const r = await redis({ persist: false });
    const waiting = async () => (await queueStatus(r.url))[0]!.waiting === manifest.samples.length;
    const run = prepareClipCacheOnQueue({ queue: r.url, manifest, cacheDir: path.join(dir, 'gone'), ...SETTINGS, pollMs: 100, maxLost: 1 });
    run.catch(() => {});
    await waitUntil(waiting, 'the jobs added');
    await r.kill();
    await r.start();
    await waitUntil(waiting, 'the jobs added again');
    await r.kill();
    await r.start();
    await expect(within(run, 30000, 'the run')).rejects.toThrow(
      /^6 job\(s\) of run [0-9a-f]{16} \(first: [0-9a-f]{16}-.+\) are gone from Redis \(2 times in this run\): it lost its data \(restarted without persistence\? give it appendonly yes\) or someone removed them; gave up after adding them again 1 times$/,
    );
    expect(PREPARE_QUEUE).toBe('ccl-prepare');
  });
});

describe('a Redis password is never printed', () => {
  it("in the worker's start line, or in the error of a wrong one", async () => {
    const r = await redis({ password: 's3cret' });
    expect(r.url).toContain(':s3cret@');
    const w = await worker(r.url);
    w.child.kill('SIGTERM');
    await exitOf(w, 10000);
    expect(w.stderr()).toContain(`waiting for jobs on redis://:***@127.0.0.1:${r.port} (concurrency 1; jobs may read and write ${dir})`);
    expect(w.stderr()).not.toContain('s3cret');
    const wrong = `redis://:wr0ng@127.0.0.1:${r.port}`;
    const err = await queueStatus(wrong).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(new RegExp(`^redis://:\\*\\*\\*@127\\.0\\.0\\.1:${r.port}: cannot reach Redis \\(WRONGPASS`));
    expect(err).not.toContain('wr0ng');
  });
});
