#!/usr/bin/env node
// Loader against trainer (a measurement, not a test): how many clips per second the Trainer's main-thread
// data path delivers (@ccl/distill's clipCacheSource + loadBatch, the draws `Trainer.trainBatch` makes),
// and how many a training step consumes (`Trainer.step` of r2plus1d-18 at width 1/4 on wasm, batch 8; at the
// synthetic benchmark's size also at its own width 1/8).
// The Trainer loads a batch between two steps on the same thread, so a loader rate L and a step rate S cost
// S / L of the training time; docs/performance.md ("Data loading") records the numbers and the decision
// they support (one loader: clipCacheSource).
//
// Needs the built packages: `npx nx run-many -t build -p distill backends` (or `npm run build`), then
//   node tools/bench/bench-loader.mjs             both cases (about 2-4 minutes on 2 cores)
//   node tools/bench/bench-loader.mjs --quick     tiny clips, one step: a smoke check of the script itself
// CCL_WASM_THREADS sets the wasm threads of the step (default 1, the loader uses one thread).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'packages', 'distill', 'package.json'));
process.env.CCL_WASM_THREADS ??= '1';
const tf = require('@tensorflow/tfjs-core');
const { keyedRng } = require('@ccl/base');
const { generateSyntheticAV, prepareClipCache, closeMediaInfo } = require('@ccl/data/media');
const { createEncoder } = require('@ccl/encoders');
const { clipCacheSource, disposeBatch, loadBatch, RNG_PURPOSE, Trainer } = require('@ccl/distill');
const { pickBackend } = require('@ccl/backends');

const quick = process.argv.includes('--quick');
const BATCH = 8;
const SEED = 1;

/**
 * The paper's clips (16 x 112 x 112 from 320 x 240 videos, cached at the default short side 240) and the
 * synthetic benchmark's (8 x 32 x 32 from its 64 x 64 videos, cached at their own size as the benchmark does).
 */
const cases = quick
  ? [
      {
        name: 'quick 4x32x32 from 48x32',
        width: 48,
        height: 32,
        videoFrames: 8,
        frames: 4,
        size: 32,
        shortSide: null,
        videos: 4,
        loadBatches: 2,
        steps: 1,
        widths: [4],
      },
    ]
  : [
      {
        name: 'paper 16x112x112 from 320x240',
        width: 320,
        height: 240,
        videoFrames: 48,
        frames: 16,
        size: 112,
        shortSide: 240,
        videos: 8,
        loadBatches: 12,
        steps: 2,
        widths: [4],
      },
      {
        name: 'bench 8x32x32 from 64x64',
        width: 64,
        height: 64,
        videoFrames: 16,
        frames: 8,
        size: 32,
        shortSide: null,
        videos: 8,
        loadBatches: 48,
        steps: 5,
        widths: [4, 8],
      },
    ];

const seconds = (t0) => (performance.now() - t0) / 1000;

/** The batch the Trainer loads at (epoch, step): its order slice, each row drawn with the row's keyed RNG. */
function trainerBatch(source, epoch, step) {
  const indices = Array.from({ length: BATCH }, (_, k) => (step * BATCH + k) % source.length);
  return loadBatch(source, indices, (i) => ({ kind: 'train', rng: keyedRng(SEED, RNG_PURPOSE.sample, epoch, i) }), {});
}

const report = await pickBackend({ force: 'wasm' });
const rows = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-bench-loader-'));
try {
  for (const c of cases) {
    const caseDir = path.join(dir, c.name.replace(/\W+/g, '-'));
    const gen = await generateSyntheticAV({
      outDir: path.join(caseDir, 'synth'),
      numClasses: 2,
      videosPerClass: c.videos / 2,
      width: c.width,
      height: c.height,
      frames: c.videoFrames,
      fps: 25,
      testFraction: 0,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    const cacheDir = path.join(caseDir, 'cache');
    await prepareClipCache({ manifest: gen.manifest, cacheDir, shortSide: c.shortSide });
    const source = clipCacheSource({ manifest: gen.manifest, cacheDir, split: 'train', frames: c.frames, size: c.size });

    // (a) the main-thread source: batches of 8 as the Trainer loads them (one warm-up batch opens the files)
    disposeBatch(await trainerBatch(source, 0, 0));
    let t0 = performance.now();
    for (let b = 0; b < c.loadBatches; b++) disposeBatch(await trainerBatch(source, 1, b));
    const loadS = seconds(t0);
    const loaderClipsPerS = (c.loadBatches * BATCH) / loadS;

    // (b) one optimisation step of the Trainer, r2plus1d-18 at width 1/w (first step = warm-up, not timed)
    for (const w of c.widths) {
      const student = createEncoder('r2plus1d-18', {
        numClasses: gen.manifest.classes.length,
        widthMultiplier: 1 / w,
        frames: c.frames,
        inputSize: c.size,
        seed: 1,
      });
      const trainer = new Trainer({
        config: { method: 'baseline', seed: SEED, student: { encoder: 'r2plus1d-18' }, epochs: 1, batchSize: BATCH, validation: { policy: 'none' } },
        student,
        numClasses: gen.manifest.classes.length,
        studentDim: student.featureDim,
        train: source,
        outDir: path.join(caseDir, `run-${w}`),
        progress: null,
      });
      trainer.startEpoch(0);
      const stepTimes = [];
      for (let s = 0; s <= c.steps; s++) {
        const batch = await trainer.trainBatch(0, s % trainer.stepsPerEpoch());
        t0 = performance.now();
        await trainer.step(batch);
        if (s > 0 || quick) stepTimes.push(seconds(t0));
        disposeBatch(batch);
      }
      trainer.dispose();
      student.dispose();
      const stepS = stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length;
      const stepClipsPerS = BATCH / stepS;
      const loadBatchS = loadS / c.loadBatches;
      const row = {
        case: c.name,
        batch: BATCH,
        width: `1/${w}`,
        loaderClipsPerS,
        loaderMsPerBatch: 1000 * loadBatchS,
        stepS,
        stepClipsPerS,
        ratio: loaderClipsPerS / stepClipsPerS,
        loadShareOfTraining: loadBatchS / (loadBatchS + stepS),
      };
      rows.push(row);
      console.log(
        `${c.name}, batch ${BATCH}: main-thread source ${loaderClipsPerS.toFixed(1)} clips/s (${row.loaderMsPerBatch.toFixed(0)} ms per batch); ` +
          `r2plus1d-18 x1/${w} step on ${tf.getBackend()} (${report.threads} thread${report.threads === 1 ? '' : 's'}) ${stepS.toFixed(2)} s = ${stepClipsPerS.toFixed(2)} clips/s; ` +
          `source / step = ${row.ratio.toFixed(1)}x; loading is ${(100 * row.loadShareOfTraining).toFixed(1)} % of a training step's wall time`,
      );
    }
  }
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cores: os.availableParallelism(),
        loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
        node: process.version,
        rows,
      },
      null,
      2,
    ),
  );
} finally {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
}
