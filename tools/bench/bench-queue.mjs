#!/usr/bin/env node
// Queue benchmark (not a test: nothing here asserts a time): how fast `ccl data prepare` goes locally and
// through the Redis queue with 1 and 2 `ccl worker` processes on this machine, per clip, on synthetic videos
// of VGGSound's shape (10 s, 25 fps, 320x240, mono audio cached at 16 kHz, short side 240). Prints a JSON
// summary and the numbers docs/performance.md's queue section quotes; writes tools/bench/results/queue-results.json
// (atomically). Needs the build (`npm run build`) and a redis-server (tools/system/setup.sh redis; or
// CCL_REDIS_SERVER).
//
//   node tools/bench/bench-queue.mjs [--videos 8] [--frames 250] [--fps 25] [--width 320] [--height 240]
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'packages', 'queue', 'package.json'));
const { generateSyntheticAV, prepareClipCache, closeMediaInfo } = require('@ccl/data/media');
const { prepareClipCacheOnQueue } = require('@ccl/queue');
const { writeFileAtomicSync } = require('@ccl/base/node');
const ccl = path.join(root, 'packages', 'ccl', 'bin', 'ccl.cjs');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const o = { videos: arg('videos', 8), frames: arg('frames', 250), fps: arg('fps', 25), width: arg('width', 320), height: arg('height', 240) };
const SETTINGS = { shortSide: 240, audioSampleRate: 16000 };
const log = (m) => process.stderr.write(`bench-queue: ${m}\n`);
/** CPU seconds of this process and its waited-for descendants (ffmpeg, the worker processes once they exit): /proc/self/stat utime+stime+cutime+cstime. */
const cpuSeconds = () => {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // fields 14-17, in clock ticks (100/s on Linux)
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-bench-queue-'));
const children = [];
try {
  // 1. the videos
  let t0 = Date.now();
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 1,
    numClasses: 2,
    videosPerClass: Math.ceil(o.videos / 2),
    width: o.width,
    height: o.height,
    frames: o.frames,
    fps: o.fps,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
    concurrency: 2,
  });
  const manifest = { ...gen.manifest, samples: gen.manifest.samples.slice(0, o.videos) };
  log(`${manifest.samples.length} videos of ${o.frames / o.fps} s at ${o.width}x${o.height} generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // 2. a redis-server of our own
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const redisBin = process.env.CCL_REDIS_SERVER ?? 'redis-server';
  const redis = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
  children.push(redis);
  await new Promise((r) => setTimeout(r, 500));
  const url = `redis://127.0.0.1:${port}`;

  const results = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() }, options: o, settings: SETTINGS, runs: [] };
  const record = (name, workers, cacheDir, seconds, cpu) => {
    const clips = fs.readdirSync(path.join(cacheDir, 'clips')).filter((f) => f.endsWith('.clip'));
    const bytes = clips.reduce((s, f) => s + fs.statSync(path.join(cacheDir, 'clips', f)).size, 0);
    const run = {
      name,
      workers,
      clips: clips.length,
      seconds,
      clipsPerSecond: clips.length / seconds,
      secondsPerClip: seconds / clips.length,
      cpuSecondsPerClip: cpu / clips.length,
      cacheMBPerClip: bytes / clips.length / 1e6,
    };
    results.runs.push(run);
    log(
      `${name}: ${clips.length} clips in ${seconds.toFixed(1)} s = ${run.clipsPerSecond.toFixed(2)} clips/s, ${run.cpuSecondsPerClip.toFixed(2)} CPU s per clip (${run.cacheMBPerClip.toFixed(1)} MB per cached clip)`,
    );
  };

  // 3. local, one decode at a time (the per-clip cost on one core)
  let cacheDir = path.join(dir, 'local-1');
  t0 = Date.now();
  let c0 = cpuSeconds();
  await prepareClipCache({ manifest, cacheDir, ...SETTINGS, concurrency: 1 });
  record('local, concurrency 1', 0, cacheDir, (Date.now() - t0) / 1000, cpuSeconds() - c0);
  await closeMediaInfo();

  // 4. the queue with 1 and 2 worker processes (started before the run: their start-up is not counted)
  for (const n of [1, 2]) {
    const ws = [];
    c0 = cpuSeconds();
    for (let i = 0; i < n; i++) {
      const w = spawn(process.execPath, [ccl, 'worker', '--queue', url, '--allow', dir, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(w);
      ws.push(w);
      await new Promise((resolve) => w.stderr.on('data', (d) => /waiting for jobs/.test(String(d)) && resolve()));
    }
    cacheDir = path.join(dir, `queue-${n}`);
    t0 = Date.now();
    await prepareClipCacheOnQueue({ queue: url, manifest, cacheDir, ...SETTINGS, pollMs: 100 });
    const seconds = (Date.now() - t0) / 1000;
    for (const w of ws) w.kill('SIGTERM');
    await Promise.all(ws.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.on('exit', r)))));
    // CPU: the workers' whole lives (start-up included) and the enqueuer's polling
    record(`queue, ${n} worker${n > 1 ? 's' : ''} x concurrency 1`, n, cacheDir, seconds, cpuSeconds() - c0);
  }
  results.loadavgAfter = os.loadavg();
  fs.mkdirSync(path.join(root, 'tools', 'bench', 'results'), { recursive: true });
  // formatted as the project's Prettier check wants it
  const prettier = createRequire(path.join(root, 'package.json'))('prettier');
  const out = path.join(root, 'tools', 'bench', 'results', 'queue-results.json');
  writeFileAtomicSync(out, await prettier.format(JSON.stringify(results, null, 2), { ...(await prettier.resolveConfig(out)), parser: 'json' }));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  fs.rmSync(dir, { recursive: true, force: true });
}
