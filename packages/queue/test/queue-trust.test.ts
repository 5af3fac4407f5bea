import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Manifest } from '@ccl/data';
import { clipFileName } from '@ccl/data/node';
import { clipPrepareTask, closeMediaInfo, generateSyntheticAV } from '@ccl/data/media';
import { FEATURES_QUEUE, PREPARE_QUEUE, type FeaturesJobData, type PrepareJobData } from '../src';
import { startTestRedis, type TestRedis } from '../../../tools/system/redis-server';
import { bundleWorker, spawnWorker, type WorkerProcess } from './helpers/worker-process';

/**
 * Jobs are untrusted input: anyone who can write to the queue's Redis can add one. Against a real
 * redis-server and a real worker process allowed one folder, jobs added by hand (as an attacker would,
 * not by ccl) that name paths outside it are refused at once, naming the path, and touch nothing.
 */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-queue-trust-')));
const allowedDir = path.join(dir, 'allowed');
const outside = path.join(dir, 'outside'); // a user's files the worker must leave alone
let redis: TestRedis;
let worker: WorkerProcess;
let manifest: Manifest;
let connection: IORedis;
let prepareQueue: Queue;
let featuresQueue: Queue;

beforeAll(async () => {
  fs.mkdirSync(allowedDir);
  fs.mkdirSync(outside);
  redis = await startTestRedis(path.join(dir, 'redis'));
  const script = await bundleWorker(path.join(__dirname, '..', '.test-build'));
  const gen = await generateSyntheticAV({
    outDir: path.join(allowedDir, 'synth'),
    seed: 3,
    numClasses: 2,
    videosPerClass: 1,
    width: 32,
    height: 24,
    frames: 4,
    fps: 4,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
  });
  manifest = gen.manifest;
  worker = await spawnWorker(script, redis.url, { concurrency: 1, lockMs: 5000, allow: [allowedDir] });
  connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
  prepareQueue = new Queue(PREPARE_QUEUE, { connection });
  featuresQueue = new Queue(FEATURES_QUEUE, { connection });
});

afterAll(async () => {
  await worker?.stop();
  await prepareQueue?.close();
  await featuresQueue?.close();
  connection?.disconnect();
  await redis?.stop();
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Adds a job by hand and waits for the worker to finish it: its final failure reason, or 'completed'. */
async function outcome(queue: Queue, id: string, data: unknown): Promise<string> {
  await queue.add('by-hand', data, { jobId: id, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  await worker.waitFor((e) => (e.kind === 'failed' && e.jobId === id && !e.willRetry) || (e.kind === 'completed' && e.jobId === id));
  const failures = worker.events.filter((e) => e.kind === 'failed' && e.jobId === id) as Array<{ reason: string }>;
  expect(failures.length).toBeLessThanOrEqual(1); // a refusal is final: no retries
  return failures[0]?.reason ?? 'completed';
}

const prepareTask = (cacheDir: string) => clipPrepareTask(manifest, manifest.samples[0]!, { cacheDir, shortSide: null });
const roots = `this worker's --allow folders (${allowedDir})`;

describe('a worker with --allow refuses jobs outside its folders (real redis-server and worker process)', () => {
  it("a job whose clip cache is a user's folder does not overwrite the user's file; the same job inside the folder is done", async () => {
    const victim = path.join(outside, 'clips', clipFileName(manifest.samples[0]!.id));
    fs.mkdirSync(path.dirname(victim));
    fs.writeFileSync(victim, 'precious');
    const data: PrepareJobData = { run: 'evil', task: prepareTask(outside) };
    expect(await outcome(prepareQueue, 'evil-cache', data)).toBe(`refused: clip cache "${outside}" is outside ${roots}`);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.readdirSync(path.dirname(victim))).toEqual([path.basename(victim)]); // not even a temporary file
    const cache = path.join(allowedDir, 'cache');
    expect(await outcome(prepareQueue, 'fine', { run: 'fine', task: prepareTask(cache) })).toBe('completed');
    expect(fs.readdirSync(path.join(cache, 'clips'))).toEqual([path.basename(victim)]);
  });

  it('a job that names /etc/passwd as its video (directly or through a link) learns nothing about it', async () => {
    const task = prepareTask(path.join(allowedDir, 'cache2'));
    expect(await outcome(prepareQueue, 'evil-video', { run: 'evil', task: { ...task, file: '/etc/passwd', probe: true } })).toBe(
      `refused: video "/etc/passwd" is outside ${roots}`,
    );
    fs.symlinkSync('/etc', path.join(allowedDir, 'etc'));
    const linked = path.join(allowedDir, 'etc', 'passwd');
    expect(await outcome(prepareQueue, 'evil-link', { run: 'evil', task: { ...task, file: linked } })).toBe(
      `refused: video "${linked}" is outside ${roots} through a symbolic link`,
    );
    expect(fs.existsSync(path.join(allowedDir, 'cache2'))).toBe(false); // nothing was written
  });

  it('a malformed job is refused at once, naming its fields', async () => {
    expect(await outcome(prepareQueue, 'garbage', { run: 'evil', task: { cacheDir: 7, file: ['x'] } })).toMatch(
      /^refused: not a clip preparation job: task\.cacheDir: .*; task\.sample: .*; task\.file: /,
    );
  });

  it('a features job that reads weights or writes features outside is refused', async () => {
    const data: FeaturesJobData = {
      run: 'evil',
      spec: { teacher: 'resnet18', options: { widthMultiplier: 1 / 16, seed: 1 }, frames: 2, size: 32 },
      cacheDir: path.join(allowedDir, 'cache'),
      outDir: path.join(allowedDir, 'features'),
      samples: manifest.samples,
    };
    expect(await outcome(featuresQueue, 'evil-weights', { ...data, spec: { ...data.spec, weights: '/etc/passwd' } })).toBe(
      `refused: teacher weights "/etc/passwd" is outside ${roots}`,
    );
    expect(await outcome(featuresQueue, 'evil-out', { ...data, outDir: outside })).toBe(`refused: features folder "${outside}" is outside ${roots}`);
    expect(fs.readdirSync(outside)).toEqual(['clips']);
  });
});
