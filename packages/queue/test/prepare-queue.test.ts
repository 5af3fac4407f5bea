import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '@ccl/data';
import { registerDataset } from '@ccl/data/node';
import {
  closeMediaInfo,
  generateSyntheticAV,
  manifestOfCachedSamples,
  prepareClipCache,
  prepareDataset,
  probeManifest,
  type PrepareReport,
} from '@ccl/data/media';
import { createEncoder } from '@ccl/encoders';
import { extractTeacherFeatures, teacherInput } from '@ccl/experiments';
import { extractTeacherFeaturesOnQueue, PREPARE_QUEUE, prepareClipCacheOnQueue, queueStatus } from '../src';
import type { FeatureTeacherSpec } from '@ccl/experiments';
import { startTestRedis, type TestRedis } from '../../../tools/system/redis-server';
import { bundleWorker, spawnWorker, type WorkerProcess } from './helpers/worker-process';

/**
 * The queue against a real redis-server and real worker processes: the same media prepared locally and
 * through the queue give the same report and manifest, whatever happens to the workers and to Redis.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-queue-'));
const LOCK_MS = 1500;
const SETTINGS = { shortSide: null, audioSampleRate: 8000 } as const;
let redis: TestRedis;
let manifest: Manifest;
let script: string;
let local: PrepareReport;
const workers: WorkerProcess[] = [];

async function worker(concurrency = 1, env?: Record<string, string>): Promise<WorkerProcess> {
  const w = await spawnWorker(script, redis.url, { concurrency, lockMs: LOCK_MS, allow: [dir], env });
  workers.push(w);
  return w;
}

const completedIds = (ws: WorkerProcess[]) => ws.flatMap((w) => w.events.filter((e) => e.kind === 'completed').map((e) => (e as { jobId: string }).jobId));
const clipsIn = (cacheDir: string) => fs.readdirSync(path.join(cacheDir, 'clips')).sort();

function queued(cacheDir: string) {
  return prepareClipCacheOnQueue({ queue: redis.url, manifest, cacheDir, ...SETTINGS, pollMs: 200, backoffMs: 200 });
}

beforeAll(async () => {
  redis = await startTestRedis(path.join(dir, 'redis'));
  script = await bundleWorker(path.join(__dirname, '..', '.test-build'));
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 7,
    numClasses: 2,
    videosPerClass: 2,
    width: 32,
    height: 24,
    frames: 6,
    fps: 6,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
    concurrency: 2,
  });
  const root = gen.manifest.root!;
  fs.writeFileSync(path.join(root, 'random.mp4'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255)));
  const first = path.join(root, gen.manifest.samples[0]!.video!);
  fs.writeFileSync(path.join(root, 'truncated.mp4'), fs.readFileSync(first).subarray(0, 600));
  const label = gen.manifest.classes[0]!;
  manifest = {
    ...gen.manifest,
    samples: [
      ...gen.manifest.samples,
      { id: 'bad-random', label, split: 'train', video: 'random.mp4' },
      { id: 'bad-truncated', label, split: 'test', video: 'truncated.mp4' },
    ],
  };
  local = await prepareClipCache({ manifest, cacheDir: path.join(dir, 'local'), ...SETTINGS, concurrency: 2 });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prepareClipCacheOnQueue with a real redis-server and worker processes', () => {
  it('the local run skips the two broken videos (the reference)', () => {
    expect(local.total).toBe(6);
    expect(local.prepared).toBe(4);
    expect(local.skipped.map((s) => s.id)).toEqual(['bad-random', 'bad-truncated']);
  });

  it('one worker: the same report, manifest and clips as the local run; bad videos in the failed set, then collected', async () => {
    await worker(2);
    const cacheDir = path.join(dir, 'one');
    const seen: number[] = [];
    const report = await prepareClipCacheOnQueue({
      queue: redis.url,
      manifest,
      cacheDir,
      ...SETTINGS,
      pollMs: 200,
      onProgress: (e) => seen.push(e.finished),
    });
    expect(report).toEqual(local);
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir, 'prepare-report.json'), 'utf8'))).toEqual(local);
    expect(manifestOfCachedSamples(manifest, report)).toEqual(manifestOfCachedSamples(manifest, local));
    expect(clipsIn(cacheDir)).toEqual(clipsIn(path.join(dir, 'local')));
    for (const f of clipsIn(cacheDir))
      expect(fs.readFileSync(path.join(cacheDir, 'clips', f)).equals(fs.readFileSync(path.join(dir, 'local', 'clips', f)))).toBe(true);
    const failed = workers[0]!.events.filter((e) => e.kind === 'failed') as Array<{ reason: string; willRetry: boolean }>;
    expect(failed).toHaveLength(2); // each bad video failed once, not retried
    for (const f of failed) expect(f).toMatchObject({ reason: expect.stringMatching(/^media error: /), willRetry: false });
    expect(seen[seen.length - 1]).toBe(6);
    // the run's jobs are collected once the report is written
    const [status] = await queueStatus(redis.url);
    expect(status).toMatchObject({ queue: PREPARE_QUEUE, waiting: 0, active: 0, done: 0, failed: 0 });

    // again: idempotent, every clip is reused, as a local rerun reports
    const again = await queued(cacheDir);
    expect(again).toEqual(await prepareClipCache({ manifest, cacheDir: path.join(dir, 'local'), ...SETTINGS, concurrency: 2 }));
    expect(again.alreadyCached).toBe(4);
  });

  it('two workers share the work; each video is done exactly once; the workers probe the videos, as probeManifest would', async () => {
    const ws = [await worker(1), await worker(1)];
    let probed: Manifest | undefined;
    const report = await prepareClipCacheOnQueue({
      queue: redis.url,
      manifest,
      cacheDir: path.join(dir, 'two'),
      ...SETTINGS,
      pollMs: 200,
      probeOnWorkers: true,
      onProbedManifest: (m) => (probed = m),
    });
    expect(report).toEqual(local);
    const probedHere = (await probeManifest(manifest)).manifest;
    expect(manifestOfCachedSamples(probed!, report)).toEqual(manifestOfCachedSamples(probedHere, local));
    expect(manifestOfCachedSamples(probed!, report).samples.every((s) => s.probe && s.probe.frameCount > 0)).toBe(true);
    const ids = completedIds(ws);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    for (const w of ws) expect(w.events.filter((e) => e.kind === 'completed' || e.kind === 'failed').length).toBeGreaterThan(0);
  });

  it('prepareDataset with the queue as its remote (ccl data prepare --queue) writes the manifest.json a local prepareDataset writes', async () => {
    registerDataset({ name: 'queue-test', description: 'the test videos, two of them broken', buildManifest: () => manifest });
    const common = { dataset: 'queue-test', args: { root: manifest.root! }, ...SETTINGS, val: 0.25, seed: 2 };
    const here = await prepareDataset({ ...common, outDir: path.join(dir, 'dataset-local'), concurrency: 2, onProbeFailure: () => {} });
    await worker(2);
    const there = await prepareDataset({
      ...common,
      outDir: path.join(dir, 'dataset-queue'),
      remote: (request) => {
        expect(request.probeOnWorkers).toBe(true); // the workers probe: this process probed nothing
        return prepareClipCacheOnQueue({ ...request, queue: redis.url, pollMs: 200 });
      },
    });
    expect(there.report).toEqual(here.report);
    expect(there.manifest).toEqual(here.manifest);
    expect(fs.readFileSync(there.manifestFile!, 'utf8')).toBe(fs.readFileSync(here.manifestFile!, 'utf8'));
  });

  it('a worker SIGKILLed mid-job: its job is taken over by another worker and the run completes, each video once', async () => {
    const victim = await worker(2);
    const run = queued(path.join(dir, 'killed'));
    await victim.waitFor((e) => e.kind === 'completed');
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    // no worker runs now: the victim's jobs stay active (locked) until their locks expire
    const atKill = (await queueStatus(redis.url))[0]!;
    const rescuer = await worker(2);
    const report = await run;
    expect(report).toEqual(local);
    expect(atKill.done + atKill.failed).toBeLessThan(6); // killed before the end
    expect(atKill.active).toBeGreaterThan(0); // it died holding a job
    const ids = [...completedIds([victim]), ...completedIds([rescuer])];
    expect(new Set(ids).size).toBe(ids.length);
    // every clip, and no temporary file a killed write may have left
    expect(clipsIn(path.join(dir, 'killed'))).toEqual(clipsIn(path.join(dir, 'local')));
  });

  it('Redis restarted mid-run (its data persisted): the run completes with the same report', async () => {
    const w = await worker(1);
    const run = queued(path.join(dir, 'restart'));
    await w.waitFor((e) => e.kind === 'completed');
    const atStop = (await queueStatus(redis.url))[0]!;
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    const report = await run;
    expect(report).toEqual(local);
    expect(atStop.done + atStop.failed).toBeLessThan(6); // stopped mid-run
    expect(new Set(completedIds([w])).size).toBe(completedIds([w]).length);
  });

  it('an environment error (ffmpeg missing on a worker) is retried with backoff; when it persists the report is aborted, and a rerun completes', async () => {
    const broken = await worker(1, { CCL_FFMPEG: '/nonexistent/ffmpeg' });
    const cacheDir = path.join(dir, 'environment');
    const first = prepareClipCacheOnQueue({ queue: redis.url, manifest, cacheDir, ...SETTINGS, pollMs: 200, attempts: 2, backoffMs: 100 });
    await expect(first).rejects.toThrow(/ffmpeg not found at \/nonexistent\/ffmpeg \(from CCL_FFMPEG\)/);
    const failed = broken.events.filter((e) => e.kind === 'failed') as Array<{ reason: string; willRetry: boolean }>;
    expect(failed.filter((f) => f.willRetry).length).toBe(4); // each good video: a first attempt, retried after the backoff
    expect(failed.filter((f) => !f.willRetry && /ffmpeg not found/.test(f.reason)).length).toBe(4); // and its last attempt
    const aborted = JSON.parse(fs.readFileSync(path.join(cacheDir, 'prepare-report.json'), 'utf8')) as PrepareReport;
    expect(aborted).toMatchObject({ aborted: true, prepared: 0, error: expect.stringMatching(/ffmpeg not found .*\(and 3 more failed jobs\)/) });
    expect(aborted.skipped).toEqual(local.skipped); // the bad videos' results were kept
    await broken.stop();
    await worker(2);
    expect(await queued(cacheDir)).toEqual(local); // the failed jobs retried, the finished ones kept
  });

  it('teacher features through the queue (one job per 3 videos): the same files and report as a local extraction', async () => {
    const ws = [await worker(1), await worker(1)];
    const cacheDir = path.join(dir, 'local');
    const samples = manifest.samples;
    const spec: FeatureTeacherSpec = { teacher: 'resnet18', options: { widthMultiplier: 1 / 16, seed: 3 }, frames: 2, size: 32 }; // seeded: every process builds the same weights
    const encoder = createEncoder(spec.teacher, spec.options);
    const localOut = path.join(dir, 'features-local');
    const localReport = await extractTeacherFeatures({ samples, cacheDir, encoder, outDir: localOut, input: teacherInput(encoder, spec.teacher, spec) });
    expect(localReport.written).toBe(4);
    expect(localReport.notCached.map((s) => s.id)).toEqual(['bad-random', 'bad-truncated']);
    const queuedOut = path.join(dir, 'features-queued');
    const report = await extractTeacherFeaturesOnQueue({ queue: redis.url, samples, cacheDir, outDir: queuedOut, spec, batchSize: 3, pollMs: 200 });
    expect(report).toEqual(localReport);
    const files = (root: string) =>
      fs
        .readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.npy'))
        .sort();
    expect(files(queuedOut)).toEqual(files(localOut));
    for (const f of files(localOut)) expect(fs.readFileSync(path.join(queuedOut, f)).equals(fs.readFileSync(path.join(localOut, f)))).toBe(true);
    const jobs = ws.flatMap((w) => w.events.filter((e) => e.kind === 'completed' && (e as { queue: string }).queue === 'ccl-features'));
    expect(jobs).toHaveLength(2); // 6 videos in jobs of 3
    // a rerun keeps every file (idempotent)
    const again = await extractTeacherFeaturesOnQueue({ queue: redis.url, samples, cacheDir, outDir: queuedOut, spec, batchSize: 3, pollMs: 200 });
    expect(again).toMatchObject({ written: 0, reused: 4 });
  });
});
