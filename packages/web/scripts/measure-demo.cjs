#!/usr/bin/env node
// docs/performance.md section 11: the demo's exported student in the page (tfjs WebGL, and WebGPU, in headless Chromium)
// against Node (WASM): time per clip, the logit difference on the same clips, and the page's predictions on
// the demo's test videos (decoded in the page) against `ccl eval`'s recognition.json.
// Usage, after `npm run demo` and `npm run web` (which exports the student into <work>/web-model) and
// `npx nx run @ccl/backends:build`: node packages/web/scripts/measure-demo.cjs [WORK_DIR] [RUN_NAME]
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const root = path.resolve(__dirname, '..', '..', '..');
const web = require('@ccl/web');
const data = require('@ccl/data');
const dataNode = require('@ccl/data/node');
const backends = require('@ccl/backends');
const tf = require('@tensorflow/tfjs-core');
const enc = require('@ccl/encoders');
const { launchBrowser, SOFTWARE_GPU_ARGS } = require(path.join(root, 'tools', 'system', 'browser.cjs'));
const work = path.resolve(process.argv[2] ?? path.join(os.homedir(), '.cache', 'ccl', 'demo'));
const runName = process.argv[3] ?? 'ccl-ai-s1';
(async () => {
  const report = await backends.pickBackend({ force: 'wasm' });
  console.log('node backend', report.name);
  const modelDir = path.join(work, 'web-model');
  const spec = web.parseStudentExport(JSON.parse(fs.readFileSync(path.join(modelDir, 'student.json'), 'utf8')), 'student.json');
  const student = web.loadStudent(spec, fs.readFileSync(path.join(modelDir, spec.weights)), 'w');
  const manifest = dataNode.readManifest(path.join(work, 'manifest.prepared.json'));
  const rec = JSON.parse(fs.readFileSync(path.join(work, 'runs', runName, 'eval', 'recognition.json'), 'utf8'));
  const tests = data.samplesOfSplit(manifest, 'test');
  // Node WASM time per clip: batches of 8 windows as ccl eval
  const wins = tests
    .slice(0, 4)
    .flatMap((s) => dataNode.loadEvalWindows(path.join(work, 'cache'), s.id, { frames: spec.clip.frames, size: spec.clip.size }))
    .slice(0, 8);
  await web.logitsOfClips(student, wins); // warm-up
  const nodeTimes = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await web.logitsOfClips(student, wins);
    nodeTimes.push((performance.now() - t) / wins.length);
  }
  const single = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await web.logitsOfClips(student, wins.slice(0, 1));
    single.push(performance.now() - t);
  }
  nodeTimes.sort((a, b) => a - b);
  single.sort((a, b) => a - b);
  console.log(`node wasm: ${nodeTimes[2].toFixed(2)} ms/clip in batches of 8, ${single[2].toFixed(2)} ms for 1 clip`);
  const server = await web.startWebServer({ appDir: web.defaultAppDir(), modelDir, mounts: { media: path.join(work, 'data') } });
  const browser = await launchBrowser([...SOFTWARE_GPU_ARGS, '--autoplay-policy=no-user-gesture-required']);
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(server.url);
  const ready = await page.evaluate(async () => {
    const a = await window.cclWeb;
    return a.backend;
  });
  console.log('page backend', JSON.stringify(ready));
  // clip file for timing in page: the same 8 windows
  const flat = new Float32Array(wins.length * wins[0].data.length);
  wins.forEach((w, i) => flat.set(w.data, i * w.data.length));
  const ct = tf.tensor5d(flat, [wins.length, spec.clip.frames, spec.clip.size, spec.clip.size, 3]);
  fs.writeFileSync(path.join(modelDir, 'clip.safetensors'), enc.serializeSafetensors({ clip: ct }));
  ct.dispose();
  const onClip = await page.evaluate(async () => (await window.cclWeb).logitsOfClipUrl('model/clip.safetensors', 5));
  const nodeLogits = await web.logitsOfClips(student, wins);
  let maxDiff = 0;
  onClip.logits.forEach((row, i) => row.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - nodeLogits[i][k])))));
  console.log(`page webgl: ${onClip.msPerClip.toFixed(2)} ms/clip in a batch of 8; max |logit diff| vs node wasm ${maxDiff.toExponential(2)}`);
  // the same clips on WebGPU (forced: SwiftShader's adapter is a software one)
  const gpuPage = await browser.newPage();
  await gpuPage.goto(`${server.url}?backend=webgpu`);
  const gpuBackend = await gpuPage.evaluate(async () => (await window.cclWeb).backend);
  const onGpu = await gpuPage.evaluate(async () => (await window.cclWeb).logitsOfClipUrl('model/clip.safetensors', 5));
  let gpuDiff = 0;
  onGpu.logits.forEach((row, i) => row.forEach((v, k) => (gpuDiff = Math.max(gpuDiff, Math.abs(v - nodeLogits[i][k])))));
  console.log(
    `page webgpu (${gpuBackend.detail}): ${onGpu.msPerClip.toFixed(2)} ms/clip in a batch of 8; max |logit diff| vs node wasm ${gpuDiff.toExponential(2)}`,
  );
  await gpuPage.close();
  fs.rmSync(path.join(modelDir, 'clip.safetensors'));
  let agree = 0,
    correct = 0,
    pageMs = [],
    t0 = performance.now();
  for (const s of tests) {
    const url = `media/${s.video}`;
    const r = await page.evaluate(async (u) => (await window.cclWeb).classifyUrl(u, u), url);
    const ev = rec.videos.find((v) => v.videoId === s.id);
    if (r.top5[0].index === ev.predicted) agree++;
    else console.log('differs', s.id, JSON.stringify(r.top5.slice(0, 2)), JSON.stringify(ev.top.slice(0, 2)));
    if (r.top5[0].index === ev.label) correct++;
    pageMs.push(r.msPerClip);
  }
  pageMs.sort((a, b) => a - b);
  console.log(
    `page over ${tests.length} test videos: agrees with ccl eval on ${agree}, top-1 ${correct}/${tests.length} (ccl eval top-1 ${rec.top1}); median ${pageMs[pageMs.length >> 1].toFixed(2)} ms/clip; ${((performance.now() - t0) / 1000).toFixed(1)} s in all`,
  );
  await browser.close();
  await server.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
