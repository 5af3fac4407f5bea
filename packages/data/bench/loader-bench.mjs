#!/usr/bin/env node
// Loader throughput benchmark (not a test): clips/s of BatchLoader in train mode, per core (the loader
// runs on one thread). Needs a build first: `npm run build -w packages/data`, then `npm run bench -w packages/data`.
// Cases: 16x112x112 clips from 320x240 videos (the paper's setting) and the demo size.
// `--quick` runs tiny cases (a smoke check of the script itself); `--workers N` builds batches in N threads.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const data = require('../dist/index.js');
const quick = process.argv.includes('--quick');
const wi = process.argv.indexOf('--workers');
const workers = wi > 0 ? Number(process.argv[wi + 1]) : 0;

const cases = quick
  ? [{ name: 'quick 4x32x32 from 48x32', width: 48, height: 32, frames: 8, clipFrames: 4, size: 32, videos: 2 }]
  : [
      { name: '16x112x112 from 320x240', width: 320, height: 240, frames: 32, clipFrames: 16, size: 112, videos: 4 },
      { name: 'demo 16x64x64 from 64x64', width: 64, height: 64, frames: 16, clipFrames: 16, size: 64, videos: 4 },
    ];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-bench-'));
try {
  for (const c of cases) {
    const dir = path.join(root, c.name.replace(/\W+/g, '-'));
    const gen = await data.generateSyntheticAV({ outDir: path.join(dir, 'synth'), numClasses: 2, videosPerClass: c.videos, width: c.width, height: c.height, frames: c.frames, fps: 25, testFraction: 0, imagesPerAppearance: 0, clipsPerSound: 0 });
    await data.prepareClipCache({ manifest: gen.manifest, cacheDir: path.join(dir, 'cache'), shortSide: null });
    const loader = new data.BatchLoader({ manifest: gen.manifest, cacheDir: path.join(dir, 'cache'), split: 'train', batchSize: 4, mode: 'train', frames: c.clipFrames, size: c.size, prefetch: Math.max(1, workers), workers });
    let clips = 0;
    const t0 = performance.now();
    const epochs = quick ? 1 : 5;
    for (let e = 0; e < epochs; e++) for await (const b of loader.epoch(e)) clips += b.ids.length;
    const s = (performance.now() - t0) / 1000;
    console.log(`${c.name}: ${clips} clips in ${s.toFixed(2)} s = ${(clips / s).toFixed(1)} clips/s with ${workers ? `${workers} worker threads` : 'the main thread only (one core)'}`);
  }
} finally {
  await data.closeMediaInfo();
  fs.rmSync(root, { recursive: true, force: true });
}
