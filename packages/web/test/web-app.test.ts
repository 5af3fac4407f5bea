import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { serializeSafetensors } from '@ccl/encoders';
import { samplesOfSplit } from '@ccl/data';
import { clipPath, loadEvalWindows, openClipFile, readClipFrames, readManifest, writeManifest } from '@ccl/data/node';
import { generateSyntheticAV, manifestOfCachedSamples, prepareClipCache, probeManifest, resolveVideoPath } from '@ccl/data/media';
import { readExperimentConfig, Trainer } from '@ccl/distill';
import { buildExperiment, evaluateRunFolder, exportStudent } from '@ccl/experiments';
import { evalWindowsOfVideo, loadStudent, logitsOfClips, parseStudentExport, startWebServer, topClasses, type WebServer } from '../src';

// tools/system/browser.cjs: Debian's chromium (tools/system/setup.sh installs it) driven by playwright-core
const { launchBrowser, SOFTWARE_GPU_ARGS } = require(path.resolve(__dirname, '..', '..', '..', 'tools', 'system', 'browser.cjs')) as {
  launchBrowser(args?: string[]): Promise<import('playwright-core').Browser>;
  SOFTWARE_GPU_ARGS: string[];
};

const FRAMES = 4;
const SIZE = 16;

/**
 * End to end in headless Chromium: a tiny student trained (as `ccl train` does) on synthetic mp4s, evaluated
 * (`ccl eval`'s evaluateRunFolder), exported (`ccl export`'s exportStudent), served with the page; the page (tfjs on WebGL) must give Node's
 * logits for the same clip tensor, and classify a test video, decoded in the page, as `ccl eval` does.
 */
describe('web app: an exported student in headless Chromium', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-web-'));
  const appDir = path.join(work, 'app');
  const modelDir = path.join(work, 'model');
  const runDir = path.join(work, 'run');
  let server: WebServer | undefined;
  let browser: import('playwright-core').Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('trains, exports, serves; the page matches Node to 1e-4 on a clip and predicts as ccl eval on a decoded video', async () => {
    // 1. data: 2 classes (different shapes and colours) x 6 real mp4s, 64x64, 16 frames at 8 fps, and their clip cache
    const dataDir = path.join(work, 'data');
    const made = await generateSyntheticAV({
      outDir: dataDir,
      seed: 3,
      numClasses: 2,
      videosPerClass: 6,
      width: 64,
      height: 64,
      frames: 16,
      fps: 8,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    const { manifest: probed } = await probeManifest(made.manifest);
    const cacheDir = path.join(work, 'cache');
    const report = await prepareClipCache({ manifest: probed, cacheDir, shortSide: null });
    writeManifest(path.join(work, 'manifest.json'), manifestOfCachedSamples(probed, report));
    const manifest = readManifest(path.join(work, 'manifest.json'));

    // 2. what ccl train (a few steps at width 1/16), ccl eval and ccl export run
    const config = path.join(work, 'baseline.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        method: 'baseline',
        seed: 1,
        epochs: 10,
        batchSize: 2,
        optimizer: { lr: 0.01 },
        student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16 } },
        teachers: [],
        validation: { policy: 'none', every: 1, clips: 1 },
        data: { manifest: 'manifest.json', cacheDir: 'cache', frames: FRAMES, size: SIZE },
      }),
    );
    const tTrain = performance.now();
    const experiment = buildExperiment(readExperimentConfig(config), work, { source: config });
    const trainer = new Trainer({ ...experiment.trainer, outDir: runDir, progress: null, runInfo: { configFile: config } });
    await trainer.fit();
    trainer.dispose();
    const trainS = (performance.now() - tTrain) / 1000;
    const evaluated = await evaluateRunFolder(runDir, 'latest.ckpt');
    const exported = exportStudent(runDir, modelDir, { checkpoint: 'latest.ckpt' });
    expect(exported.files.map((f) => path.basename(f))).toEqual(['student.safetensors', 'student.json']);
    const spec = parseStudentExport(JSON.parse(fs.readFileSync(path.join(modelDir, 'student.json'), 'utf8')), 'student.json');
    expect(spec.classes).toEqual(manifest.classes);
    expect(spec.clip).toMatchObject({ frames: FRAMES, size: SIZE, stride: FRAMES, valueScale: 1 });

    // 3. Node's side: the exported student on tfjs's cpu backend; the clip tensor the page gets too
    const nodeStudent = loadStudent(spec, fs.readFileSync(path.join(modelDir, spec.weights)), 'student.safetensors');
    const testVideo = samplesOfSplit(manifest, 'test')[0]!;
    const windows = loadEvalWindows(cacheDir, testVideo.id, { protocol: 'sliding', frames: FRAMES, size: SIZE });
    const clipData = new Float32Array(windows.length * windows[0]!.data.length);
    windows.forEach((w, i) => clipData.set(w.data, i * w.data.length));
    const clipTensor = tf.tensor5d(clipData, [windows.length, FRAMES, SIZE, SIZE, 3]);
    fs.writeFileSync(path.join(modelDir, 'clip.safetensors'), serializeSafetensors({ clip: clipTensor }));
    clipTensor.dispose();
    const t0 = performance.now();
    const nodeLogits = await logitsOfClips(nodeStudent, windows);
    const nodeMsPerClip = (performance.now() - t0) / windows.length;

    // 4. the page, bundled with esbuild, served on 127.0.0.1, in headless Chromium
    execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'bundle-page.mjs'), appDir], { stdio: 'pipe' });
    server = await startWebServer({ appDir, modelDir, mounts: { media: dataDir } });
    // SwiftShader for WebGL and for WebGPU (a software adapter: the page skips it unless ?backend=webgpu)
    browser = await launchBrowser([...SOFTWARE_GPU_ARGS, '--autoplay-policy=no-user-gesture-required']);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    const ready = await page.evaluate(async () => {
      const app = await window.cclWeb;
      return { backend: app.backend, classes: app.spec.classes };
    });
    expect(errors).toEqual([]);
    expect(ready.backend.name).toBe('webgl');
    expect(ready.backend.skipped).toEqual([
      { name: 'webgpu', reason: expect.stringMatching(/^software adapter \(.*\[software\]\); \?backend=webgpu forces it$/) },
    ]);
    expect(ready.backend.detail).toMatch(/float32 textures/);
    expect(ready.classes).toEqual(spec.classes);
    await expect(page.textContent('#backend')).resolves.toMatch(/tfjs backend: webgl/);

    // the same clip tensor: logits equal to 1e-4
    const onClip = await page.evaluate(async () => (await window.cclWeb).logitsOfClipUrl('model/clip.safetensors'));
    // the first forward pass caches each BatchNorm's folding into its conv (owned by the student); after it, calls leave no tensor
    const tensorsAfterFirst = await page.evaluate(async () => (await window.cclWeb).numTensors());
    expect(onClip.shape).toEqual([windows.length, FRAMES, SIZE, SIZE, 3]);
    let maxDiff = 0;
    onClip.logits.forEach((row, i) => row.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - nodeLogits[i]![k]!)))));
    expect(maxDiff).toBeLessThan(1e-4);

    // each test video itself, decoded by the browser through <video> + canvas and sampled in the page
    const decodedDiffs: number[] = [];
    const scoreDiffs: number[] = [];
    const predictions: number[] = [];
    for (const sample of samplesOfSplit(manifest, 'test')) {
      const videoFile = resolveVideoPath(manifest, sample.video!);
      const url = `media/${path.relative(dataDir, videoFile).split(path.sep).map(encodeURIComponent).join('/')}`;
      const onVideo = await page.evaluate(async (u) => (await window.cclWeb).classifyUrl(u, u, true), url);
      const cached = openClipFile(clipPath(cacheDir, sample.id));
      const { t, h, w } = cached.header;
      expect({ frames: onVideo.frames, width: onVideo.size.width, height: onVideo.size.height }).toEqual({ frames: t, width: w, height: h });
      expect(onVideo.fps).toBeCloseTo(8, 3);
      // (a) the page's sampling is `ccl eval`'s: Node's windows of the very frames the page decoded give the page's logits
      const pageFrames = new Uint8Array(Buffer.from(onVideo.framesBase64!, 'base64'));
      const pageWindows = evalWindowsOfVideo({ data: pageFrames, t, h, w, c: 3 }, spec.clip);
      const nodeOnPageFrames = await logitsOfClips(nodeStudent, pageWindows);
      expect(onVideo.windowLogits).toHaveLength(pageWindows.length);
      onVideo.windowLogits.forEach((row, i) => row.forEach((v, k) => expect(Math.abs(v - nodeOnPageFrames[i]![k]!)).toBeLessThan(1e-4)));
      // (b) the browser's decoder against ffmpeg's (the clip cache): the same frames, each with its own YUV -> RGB rounding
      const nodeFrames = readClipFrames(
        cached,
        Array.from({ length: t }, (_, i) => i),
      );
      let absSum = 0;
      for (let i = 0; i < nodeFrames.length; i++) absSum += Math.abs(nodeFrames[i]! - pageFrames[i]!);
      decodedDiffs.push(absSum / nodeFrames.length);
      expect(absSum / nodeFrames.length).toBeLessThan(3);
      // (c) the video's class: `ccl eval`'s (its recognition.json) wherever that prediction is clear (top score >= 0.6;
      // a near tie may flip with the decoder's rounding); the averaged scores stay close anyway
      const evalVideo = evaluated.recognition.videos.find((v) => v.videoId === sample.id)!;
      const nodeScores = topClasses(await logitsOfClips(nodeStudent, loadEvalWindows(cacheDir, sample.id, { frames: FRAMES, size: SIZE })), spec.classes, 5);
      expect(nodeScores[0]!.index).toBe(evalVideo.predicted);
      expect(nodeScores[0]!.score).toBeCloseTo(evalVideo.top[0]!.score, 6);
      if (evalVideo.top[0]!.score >= 0.6) expect(onVideo.top5[0]!.index).toBe(evalVideo.predicted);
      for (const c of onVideo.top5) scoreDiffs.push(Math.abs(c.score - nodeScores.find((n) => n.index === c.index)!.score));
      expect(Math.max(...scoreDiffs)).toBeLessThan(0.1);
      expect(onVideo.top5.map((c) => c.name).sort()).toEqual([...spec.classes].sort());
      await expect(page.textContent('#top5')).resolves.toContain(onVideo.top5[0]!.name);
      predictions.push(onVideo.top5[0]!.index);
    }
    // the user's way in: a file picked in the page's file input (a blob URL), classified and shown
    const picked = samplesOfSplit(manifest, 'test')[0]!;
    await page.setInputFiles('#file', resolveVideoPath(manifest, picked.video!));
    await page.waitForFunction(() => /clips averaged/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 60_000 });
    await expect(page.textContent('#status')).resolves.toMatch(/: 16 frames \(64x64\) at 8\.00 fps, 4 clips averaged; [\d.]+ ms per clip on webgl$/);
    await expect(page.textContent('#top5 tr:nth-child(2) td')).resolves.toBe(spec.classes[predictions[0]!]);
    // the student tells the classes apart (a constant prediction would make the checks above weak)
    expect(new Set(evaluated.recognition.videos.map((v) => v.predicted)).size).toBe(2);
    expect(new Set(predictions).size).toBe(2);
    expect(await page.evaluate(async () => (await window.cclWeb).numTensors())).toBe(tensorsAfterFirst);
    expect(errors).toEqual([]);

    // 5. the same page on WebGPU (forced: SwiftShader's adapter is a software one)
    const gpuPage = await browser.newPage();
    gpuPage.on('pageerror', (e) => errors.push(e.message));
    await gpuPage.goto(`${server.url}?backend=webgpu`);
    const gpuBackend = await gpuPage.evaluate(async () => (await window.cclWeb).backend);
    expect(gpuBackend).toMatchObject({ name: 'webgpu', skipped: [], detail: expect.stringMatching(/^WebGPU on .*\[software\]$/) });
    const gpuClip = await gpuPage.evaluate(async () => (await window.cclWeb).logitsOfClipUrl('model/clip.safetensors'));
    const gpuTensors = await gpuPage.evaluate(async () => (await window.cclWeb).numTensors());
    let gpuMaxDiff = 0;
    gpuClip.logits.forEach((row, i) => row.forEach((v, k) => (gpuMaxDiff = Math.max(gpuMaxDiff, Math.abs(v - nodeLogits[i]![k]!)))));
    expect(gpuMaxDiff).toBeLessThan(1e-4);
    const firstVideo = resolveVideoPath(manifest, samplesOfSplit(manifest, 'test')[0]!.video!);
    const firstUrl = `media/${path.relative(dataDir, firstVideo).split(path.sep).map(encodeURIComponent).join('/')}`;
    const gpuVideo = await gpuPage.evaluate(async (u) => (await window.cclWeb).classifyUrl(u, u, true), firstUrl);
    const gpuFrames = new Uint8Array(Buffer.from(gpuVideo.framesBase64!, 'base64'));
    const gpuWindows = evalWindowsOfVideo({ data: gpuFrames, t: gpuVideo.frames, h: gpuVideo.size.height, w: gpuVideo.size.width, c: 3 }, spec.clip);
    const nodeOnGpuFrames = await logitsOfClips(nodeStudent, gpuWindows);
    expect(gpuVideo.windowLogits).toHaveLength(gpuWindows.length);
    gpuVideo.windowLogits.forEach((row, i) => row.forEach((v, k) => expect(Math.abs(v - nodeOnGpuFrames[i]![k]!)).toBeLessThan(1e-4)));
    // the video's scores are Node's on the frames this page decoded (each page decodes the video itself)
    const nodeTopOnGpuFrames = topClasses(nodeOnGpuFrames, spec.classes, 5);
    for (const c of gpuVideo.top5) expect(Math.abs(c.score - nodeTopOnGpuFrames.find((n) => n.index === c.index)!.score)).toBeLessThan(1e-4);
    expect(await gpuPage.evaluate(async () => (await window.cclWeb).numTensors())).toBe(gpuTensors);
    expect(errors).toEqual([]);
    nodeStudent.dispose();
    process.stdout.write(
      `web app: webgl (${ready.backend.detail}); trained in ${trainS.toFixed(1)} s; max |logit diff| ${maxDiff.toExponential(2)} on the clip file (${windows.length} clips); ` +
        `webgpu (${gpuBackend.detail}): max |logit diff| ${gpuMaxDiff.toExponential(2)}, ${gpuClip.msPerClip.toFixed(2)} ms per clip; ` +
        `${onClip.msPerClip.toFixed(2)} ms per clip in the page, ${nodeMsPerClip.toFixed(2)} ms in Node (cpu); ` +
        `decoded frames mean |diff| ${decodedDiffs.map((d) => d.toFixed(2)).join(', ')} levels; max |video score diff| ${Math.max(...scoreDiffs).toFixed(4)}; ` +
        `ccl eval top-1 ${evaluated.recognition.top1}, predictions ${JSON.stringify(evaluated.recognition.videos.map((v) => v.predicted))}, page ${JSON.stringify(predictions)}\n`,
    );
  }, 300_000);
});
