#!/usr/bin/env node
// `npm run bench` (the root script builds `ccl` first; this file builds nothing): training-step time,
// forward-only time, achieved GFLOP/s and peak RSS of the r2plus1d-18 student per tensor backend, the
// 1024 x 1024 matrix-product GFLOP/s of each backend (the machine's practical ceiling there), and the
// per-op overhead. Each configuration runs in its own child process, so its peak RSS is its own.
//
// Writes tools/bench/results/results.json and the table between the bench markers of docs/performance.md
// (both atomically: temp file + rename). Benchmarks are never tests: nothing here asserts a time.
//
//   node tools/bench/bench.mjs            demo size ([4, 8, 56, 56, 3], width 1/4) on wasm and cpu + matmul
//   node tools/bench/bench.mjs --full     also [2, 8, 112, 112, 3] and the paper's [8, 8, 112, 112, 3] at width 1 on
//                                   wasm, 1 and n threads (about 10 minutes)
//   node tools/bench/bench.mjs --no-docs  leave docs/performance.md alone
//   node tools/bench/bench.mjs --render   re-render the docs table from tools/bench/results/results.json (no run)
//   node tools/bench/bench.mjs --results DIR   write results.json into DIR instead of tools/bench/results
//
// The WASM training kernels come from @ccl/backends. CCL_BENCH_KERNELS may name a CommonJS bundle of
// packages/backends/src instead (measuring kernels before they are built).
// Gradients: @ccl/distill's variableGradsLean, as the Trainer (CCL_BENCH_GRADIENTS=tfjs: tf.variableGrads).
// When tools/bench/results/torch-results.json exists (tools/bench/bench-torch.py, optional, needs python3-torch), the
// docs table gets the PyTorch numbers of the same shapes and the ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { replaceBetweenMarkers } from './doc-markers.mjs';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..', '..');
const require = createRequire(path.join(root, 'packages', 'ccl', 'package.json'));

/**
 * The configurations `npm run bench -- --backend webgpu` measures: the demo size (which a software adapter
 * such as lavapipe manages), and with --full the paper's batch [8, 8, 112, 112, 3] and the paper's clip
 * length [32, 16, 112, 112, 3] at full width (a GPU's sizes: tools/bench/gpu-bench.sh runs them on one).
 */
function webgpuPlan(full) {
  const demo = { model: 'r2plus1d-18', widthMultiplier: 1 / 4, input: [4, 8, 56, 56, 3], numClasses: 101, steps: 3, profileStep: true };
  const wide = { model: 'r2plus1d-18', widthMultiplier: 1, numClasses: 101, steps: 3 };
  const runs = [
    { kind: 'matmul', backend: 'webgpu', size: 1024 },
    { kind: 'overhead', backend: 'webgpu' },
    { kind: 'model', backend: 'webgpu', ...demo },
  ];
  if (full)
    for (const input of [
      [8, 8, 112, 112, 3],
      [32, 16, 112, 112, 3],
    ])
      runs.push({ kind: 'model', backend: 'webgpu', ...wide, input });
  return runs;
}

/** The configurations `npm run bench` measures, in order. */
function plan(full) {
  const demo = { model: 'r2plus1d-18', widthMultiplier: 1 / 4, input: [4, 8, 56, 56, 3], numClasses: 101, steps: 3, profileStep: true };
  const wide = { model: 'r2plus1d-18', widthMultiplier: 1, numClasses: 101, steps: 2 };
  const threads = Math.min(os.availableParallelism(), 8); // the WASM backend's threaded build: up to 8
  const both = (cfg) => [cfg, ...(threads > 1 ? [{ ...cfg, threads, profileStep: false }] : [])];
  const runs = [
    ...both({ kind: 'matmul', backend: 'wasm', size: 1024 }),
    { kind: 'matmul', backend: 'cpu', size: 1024 },
    { kind: 'overhead', backend: 'wasm' },
    { kind: 'overhead', backend: 'cpu' },
    ...both({ kind: 'model', backend: 'wasm', ...demo }),
    { kind: 'model', backend: 'cpu', ...demo, steps: 1, profileStep: false },
  ];
  // The paper's batch fits the 4 GiB WASM heap since the memory work of issue 9 (it did not before).
  if (full)
    for (const input of [
      [2, 8, 112, 112, 3],
      [8, 8, 112, 112, 3],
    ])
      runs.push(...both({ kind: 'model', backend: 'wasm', ...wide, input }));
  return runs;
}

// ---------------------------------------------------------------------------------------------- child

const now = () => performance.now();

/** A function of packages/backends/src, from the built `ccl` (or the CCL_BENCH_KERNELS bundle). */
function kernelsExport(ccl, name) {
  let fn = ccl[name] ?? ccl.kernels?.[name];
  if (!fn && process.env.CCL_BENCH_KERNELS) fn = require(path.resolve(process.env.CCL_BENCH_KERNELS))[name];
  if (!fn) throw new Error(`tools/bench/bench.mjs: 'ccl' exports no ${name} (re-export it from @ccl/backends in its index), and CCL_BENCH_KERNELS is unset`);
  return fn;
}

async function loadCcl(backend, threads = 1) {
  // the picker's WASM default is one thread per core: each configuration sets its own count
  process.env.CCL_WASM_THREADS = String(threads);
  // the libraries themselves, not the umbrella (whose media commands pull in ffmpeg): what
  // tools/bench/gpu-bench.sh packs for the GPU machine is just these and tfjs
  const [backends, encoders, distill, losses] = await Promise.all(['@ccl/backends', '@ccl/encoders', '@ccl/distill', '@ccl/losses'].map((m) => import(m)));
  const ccl = { ...backends, encoders, distill, losses };
  const tf = require('@tensorflow/tfjs-core');
  if (backend === 'wasm' && threads > 1) {
    require('@tensorflow/tfjs-backend-wasm'); // registers the backend factory that gets wrapped
    kernelsExport(ccl, 'configureWasmThreads')(threads); // before the backend initialises
  }
  const report = await ccl.pickBackend({ force: backend }); // loads the backend package (and its own kernels)
  let registered = [];
  if (backend === 'wasm') {
    // After the backend package: its import would overwrite earlier registrations.
    // pickBackend registers them itself (report.addedKernels); older builds leave it to the caller.
    registered = Array.isArray(report.addedKernels) ? report.addedKernels : kernelsExport(ccl, 'registerWasmTrainingKernels')();
  }
  return { ccl, tf, report, registered };
}

async function matmulRun(tf, size) {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = now();
    const c = tf.matMul(a, b);
    await c.data();
    times.push(now() - t0);
    c.dispose();
    if (times[0] > 2000) break; // slow backend: one timed product is enough
  }
  tf.dispose([a, b]);
  const ms = Math.min(...times);
  return { ms, gflops: (2 * size ** 3) / ms / 1e6 };
}

function overheadRun(tf) {
  const a = tf.tensor1d([1]);
  const b = tf.tensor1d([2]);
  const n = 2000;
  tf.tidy(() => {
    for (let i = 0; i < 100; i++) tf.add(a, b);
  });
  const t0 = now();
  tf.tidy(() => {
    for (let i = 0; i < n; i++) tf.add(a, b);
  });
  const perOpUs = ((now() - t0) / n) * 1000;
  tf.dispose([a, b]);
  return { perOpUs };
}

/**
 * FLOPs of one forward pass, from the kernels a profiled forward ran (Conv2D, MatMul). A training step is
 * counted as 3x the forward (forward + input gradient + filter gradient: the usual convention, also used
 * for PyTorch figures), whatever the backward actually spends.
 */
function forwardFlops(kernels) {
  let conv = 0;
  let matmul = 0;
  const size = (shape) => shape.reduce((p, d) => p * d, 1);
  for (const k of kernels) {
    const [a, b] = k.inputShapes;
    if (k.name === 'Conv2D' || k.name === 'FusedConv2D') {
      const [kh, kw, cin] = b;
      conv += 2 * size(k.outputShapes[0]) * kh * kw * cin;
    } else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const out = k.outputShapes[0];
      matmul += 2 * size(out) * ((size(a) * out[out.length - 1]) / size(out)); // K = size(a) / (batch M)
    }
  }
  return { conv, matmul, total: conv + matmul };
}

/** Kernel time by kernel name over a profile, largest first. */
function timeByKernel(kernels, top) {
  const byKernel = {};
  for (const k of kernels) {
    const e = (byKernel[k.name] ??= { calls: 0, ms: 0 });
    e.calls += 1;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  }
  return Object.entries(byKernel)
    .sort((x, y) => y[1].ms - x[1].ms)
    .slice(0, top)
    .map(([name, e]) => ({ name, calls: e.calls, ms: Math.round(e.ms) }));
}

async function modelRun(ccl, tf, cfg) {
  const encoder = ccl.encoders.createEncoder(cfg.model, { numClasses: cfg.numClasses, widthMultiplier: cfg.widthMultiplier, seed: 0 });
  encoder.train();
  const vars = encoder.trainableVariables;
  const sgd = new ccl.distill.Sgd(vars, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = tf.randomUniform(cfg.input, 0, 1, 'float32', 3); // [B, T, H, W, C]
  const labels = Array.from({ length: cfg.input[0] }, (_, i) => i % cfg.numClasses);
  const loss = () => ccl.losses.crossEntropy(encoder.apply(x, { training: true }).logits, labels);

  // Reads are asynchronous (await data()): WebGPU in Node has no synchronous readback; on cpu and wasm
  // data() is the same read as dataSync(). Reading the loss, then one updated weight, waits for the work.
  // GPU memory: the WebGPU backend's allocated bytes (in use + pooled) after each step: its high-water mark.
  let peakGpuBytes = 0;
  const step = async () => {
    const t0 = now();
    const { value, grads } = (process.env.CCL_BENCH_GRADIENTS === 'tfjs' ? tf.variableGrads : ccl.distill.variableGradsLean)(loss, vars);
    await value.data();
    const t1 = now();
    sgd.step(grads);
    await vars[0].data();
    const t2 = now();
    tf.dispose([value, ...Object.values(grads)]);
    peakGpuBytes = Math.max(peakGpuBytes, tf.memory().numBytesAllocatedInGPU ?? 0); // WebGPU: in use + pooled
    return { gradsMs: t1 - t0, updateMs: t2 - t1, stepMs: t2 - t0 };
  };
  const forward = async () => {
    const t0 = now();
    const logits = tf.tidy(() => encoder.apply(x, { training: false }).logits);
    await logits.data();
    logits.dispose();
    return now() - t0;
  };

  const warm = cfg.steps > 1 ? await step() : null; // first step creates XNNPACK operators / compiles shaders
  const tensorsBefore = tf.memory().numTensors;
  const steps = [];
  for (let i = 0; i < (cfg.steps > 1 ? cfg.steps : 1); i++) steps.push(await step());
  const tensorsAfter = tf.memory().numTensors;
  // the process's high-water mark after training steps only (the eval-mode forward below holds every
  // intermediate until its tidy ends, which is not what a training step needs)
  const stepPeakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const fwd = [await forward(), ...(cfg.steps > 1 ? [await forward()] : [])];

  // FLOPs from a profiled train-mode forward (no gradients: light on memory).
  const fwdProfile = await tf.profile(() => {
    tf.tidy(() => {
      encoder.apply(x, { training: true }).logits;
    });
  });
  const fwdFlops = forwardFlops(fwdProfile.kernels);
  // Where a training step's time goes (demo size only: the profiler holds every kernel's record).
  let topKernels = null;
  if (cfg.profileStep) {
    const stepProfile = await tf.profile(() => {
      const { value, grads } = (process.env.CCL_BENCH_GRADIENTS === 'tfjs' ? tf.variableGrads : ccl.distill.variableGradsLean)(loss, vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    topKernels = timeByKernel(stepProfile.kernels, Number(process.env.BENCH_TOP_KERNELS ?? 10));
    topKernels.unshift({ name: '(kernel calls per step)', calls: stepProfile.kernels.length, ms: null });
  }
  const best = steps.reduce((m, s) => (s.stepMs < m.stepMs ? s : m));
  const forwardMs = Math.min(...fwd);
  tf.dispose(x);
  encoder.dispose();
  return {
    params: vars.reduce((n, v) => n + v.size, 0),
    warmStepMs: warm?.stepMs ?? null,
    stepMs: best.stepMs,
    gradsMs: best.gradsMs,
    updateMs: best.updateMs,
    forwardMs,
    forwardFlops: fwdFlops.total,
    stepFlops: 3 * fwdFlops.total,
    stepGflops: (3 * fwdFlops.total) / best.stepMs / 1e6,
    forwardGflops: fwdFlops.total / forwardMs / 1e6,
    // After a warm-up step only: the first step creates the optimizer's momentum buffers.
    tensorsLeakedPerStep: warm ? (tensorsAfter - tensorsBefore) / steps.length : null,
    stepPeakRssMiB,
    ...(peakGpuBytes > 0 ? { peakGpuMiB: Math.round(peakGpuBytes / 2 ** 20) } : {}),
    // clips per second of the eval-mode forward pass (evaluation throughput)
    forwardClipsPerS: cfg.input[0] / (forwardMs / 1000),
    topKernels,
  };
}

async function child(cfg) {
  const { ccl, tf, report, registered } = await loadCcl(cfg.backend, cfg.threads ?? 1);
  let result;
  if (cfg.kind === 'matmul') result = await matmulRun(tf, cfg.size);
  else if (cfg.kind === 'overhead') result = overheadRun(tf);
  else result = await modelRun(ccl, tf, cfg);
  const rss = process.resourceUsage().maxRSS * 1024;
  return { ...cfg, ...result, threads: report.threads, device: report.device, registeredKernels: registered, peakRssMiB: Math.round(rss / 2 ** 20) };
}

// --------------------------------------------------------------------------------------------- parent

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const version = (p) => JSON.parse(fs.readFileSync(require.resolve(`${p}/package.json`), 'utf8')).version;
  return {
    nproc: os.availableParallelism(),
    cpu: model.trim(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tfjsCore: version('@tensorflow/tfjs-core'),
    tfjsBackendWasm: version('@tensorflow/tfjs-backend-wasm'),
    tfjsBackendCpu: version('@tensorflow/tfjs-backend-cpu'),
    tfjsBackendWebgpu: version('@tensorflow/tfjs-backend-webgpu'),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** The line of a failed child's output that says what failed (not a stack frame). */
function failureLine(error) {
  const lines = error.split('\n').map((l) => l.trim());
  return (lines.find((l) => /^(RuntimeError|Error|TypeError|RangeError|Aborted)/.test(l)) ?? lines.find((l) => l && !l.startsWith('at ')) ?? 'failed').slice(
    0,
    120,
  );
}

const fmt = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

function markdown(results, info) {
  const lines = [
    `Measured ${results.date} on ${info.nproc} cores (${info.cpu}), Node ${info.node}, tfjs-core ${info.tfjsCore}, ` +
      `tfjs-backend-wasm ${info.tfjsBackendWasm}, tfjs-backend-cpu ${info.tfjsBackendCpu}; load average at start ${info.loadAverage.join(' / ')} ` +
      '(the cores are shared: numbers may be noisy).',
    '',
    ...(results.runs.some((r) => r.device) ? [`Device: ${[...new Set(results.runs.filter((r) => r.device).map((r) => r.device))].join(', ')}.`, ''] : []),
    '| model run | backend | threads | input [B, T, H, W, C] | width | params | train step (s) | grads / update (s) | forward (s) | eval clips/s | step GFLOP | step GFLOP/s | peak RSS of training (MiB) | peak GPU memory (MiB) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results.runs.filter((r) => r.kind === 'model')) {
    if (r.error) {
      lines.push(
        `| ${r.model} | ${r.backend} | ${r.threads ?? 1} | [${r.input.join(', ')}] | ${r.widthMultiplier} | — | failed: ${failureLine(r.error)} | | | | | | | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.model} | ${r.backend} | ${r.threads} | [${r.input.join(', ')}] | ${r.widthMultiplier} | ${(r.params / 1e6).toFixed(2)} M | ` +
        `${fmt(r.stepMs / 1000, 2)} | ${fmt(r.gradsMs / 1000, 2)} / ${fmt(r.updateMs / 1000, 2)} | ${fmt(r.forwardMs / 1000, 2)} | ${fmt(r.forwardClipsPerS)} | ` +
        `${fmt(r.stepFlops / 1e9, 1)} | ${fmt(r.stepGflops)} | ${r.stepPeakRssMiB ?? r.peakRssMiB} | ${r.peakGpuMiB ?? '—'} |`,
    );
  }
  for (const r of results.runs.filter((r) => r.kind === 'model' && Array.isArray(r.topKernels))) {
    const [calls, ...top] = r.topKernels;
    lines.push(
      '',
      `Kernel time of one profiled ${r.backend} step at [${r.input.join(', ')}] (${calls.calls} kernel calls; ms): ` +
        top.map((k) => `${k.name} ${k.ms} (${k.calls} calls)`).join(', ') +
        '.',
    );
  }
  lines.push(...torchComparison(results));
  lines.push('', '| ceiling / overhead | backend | threads | value |', '|---|---|---|---|');
  for (const r of results.runs) {
    if (r.kind === 'matmul')
      lines.push(`| ${r.size} x ${r.size} matmul | ${r.backend} | ${r.threads ?? '—'} | ${r.error ? 'failed' : `${fmt(r.gflops)} GFLOP/s`} |`);
    if (r.kind === 'overhead')
      lines.push(`| per-op overhead (tf.add of [1] tensors) | ${r.backend} | ${r.threads ?? '—'} | ${r.error ? 'failed' : `${fmt(r.perOpUs)} µs / op`} |`);
  }
  return lines.join('\n');
}

/** PyTorch rows of the same shapes (tools/bench/bench-torch.py) with tfjs / PyTorch ratios, when measured. */
function torchComparison(results) {
  const file = path.join(root, 'tools', 'bench', 'results', 'torch-results.json');
  if (!fs.existsSync(file)) return [];
  const torch = JSON.parse(fs.readFileSync(file, 'utf8'));
  const same = (a, b) => a.kind === 'model' && !a.error && JSON.stringify(a.input) === JSON.stringify(b.input) && a.widthMultiplier === b.widthMultiplier;
  const rows = [];
  for (const t of torch.results.filter((t) => t.stepMs !== undefined)) {
    const ours = results.runs.find((r) => same(r, t) && r.backend === 'wasm' && r.threads === t.threads);
    rows.push(
      `| [${t.input.join(', ')}] | ${t.widthMultiplier} | ${t.threads} | ${fmt(t.stepMs / 1000, 2)} | ${fmt(t.forwardMs / 1000, 2)} | ${t.stepPeakRssMiB ?? t.peakRssMiB} | ` +
        (ours
          ? `${fmt(ours.stepMs / 1000, 2)} | ${fmt(ours.stepMs / t.stepMs, 1)}x | ${fmt(ours.forwardMs / t.forwardMs, 1)}x | ${fmt((ours.stepPeakRssMiB ?? ours.peakRssMiB) / (t.stepPeakRssMiB ?? t.peakRssMiB), 2)}x |`
          : '— | — | — | — |'),
    );
  }
  return [
    '',
    `PyTorch ${torch.results[0]?.torch ?? ''} on the same machine (\`tools/bench/bench-torch.py\`, measured ${torch.measuredAt}, load average ${torch.loadAverage.map((l) => l.toFixed(2)).join(' / ')}): ` +
      'same model, shapes and step (train-mode forward, cross-entropy, backward, SGD with momentum and weight decay). ' +
      'Ratios: the WASM run of the same shape and thread count in the table above over the PyTorch row (time; peak RSS). ' +
      'PyTorch 1.13 sends these convolutions to oneDNN only with more than one thread or a batch above 1 (its `use_mkldnn` rule, as we read it), ' +
      'otherwise to a much slower im2col path: hence its 1-thread and batch-1 rows.',
    '',
    '| input [B, T, H, W, C] | width | threads | torch step (s) | torch forward (s) | torch peak RSS of training (MiB) | WASM step (s) | WASM / torch step | forward | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function writeDocs(table, marker = 'bench') {
  const doc = path.join(root, 'docs', 'performance.md');
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : `# Performance\n\n${begin}\n${end}\n`;
  writeAtomic(doc, replaceBetweenMarkers(text, marker, table, 'tools/bench/bench.mjs'));
}

async function parent(args) {
  const webgpu = args.includes('--backend') && args[args.indexOf('--backend') + 1] === 'webgpu';
  // --results DIR: where results.json goes (default tools/bench/results; tools/bench/reproduce-claims.mjs passes its run folder)
  const resultsDir = args.includes('--results') ? path.resolve(args[args.indexOf('--results') + 1]) : path.join(root, 'tools', 'bench', 'results');
  const resultsFile = path.join(resultsDir, webgpu ? 'results-webgpu.json' : 'results.json');
  const marker = webgpu ? 'bench-webgpu' : 'bench';
  if (args.includes('--render')) {
    const saved = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    writeDocs(markdown(saved, saved.machine), marker);
    return;
  }
  const full = args.includes('--full');
  const backendAt = args.indexOf('--backend');
  const backend = backendAt >= 0 ? args[backendAt + 1] : null;
  if (backend !== null && backend !== 'webgpu')
    throw new Error(`tools/bench/bench.mjs: --backend takes 'webgpu' (the default plan measures wasm and cpu), got '${backend}'`);
  const runs = [];
  for (const cfg of backend === 'webgpu' ? webgpuPlan(full) : plan(full)) {
    const label = `${cfg.kind} ${cfg.backend}${cfg.threads ? ` x${cfg.threads} threads` : ''}${cfg.input ? ` [${cfg.input}] width ${cfg.widthMultiplier}` : ''}`;
    process.stderr.write(`bench: ${label} ... `);
    try {
      const out = execFileSync(process.execPath, [here, '--child', JSON.stringify(cfg)], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20 * 60 * 1000,
        maxBuffer: 1 << 24,
      });
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) throw new Error(`child printed no result:\n${out.slice(-2000)}`);
      const r = JSON.parse(line.slice('BENCH_RESULT '.length));
      runs.push(r);
      process.stderr.write(
        r.kind === 'model' ? `step ${fmt(r.stepMs / 1000, 2)} s, ${fmt(r.stepGflops)} GFLOP/s${r.device ? ` on ${r.device}` : ''}\n` : 'done\n',
      );
    } catch (err) {
      const msg = `${err.stderr ?? ''}${err.message ?? err}`.trim();
      runs.push({ ...cfg, error: msg.slice(-2000) });
      process.stderr.write(`failed: ${msg.split('\n').slice(-3).join(' | ')}\n`);
    }
  }
  const info = machine();
  const results = {
    date: new Date().toISOString(),
    machine: info,
    gradients: process.env.CCL_BENCH_GRADIENTS === 'tfjs' ? 'tf.variableGrads' : 'variableGradsLean',
    runs,
  };
  writeAtomic(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const table = markdown(results, info);
  process.stdout.write(`${table}\n`);
  if (!args.includes('--no-docs')) writeDocs(table, marker);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(JSON.parse(argv[1]))
    .then((r) => {
      process.stdout.write(`BENCH_RESULT ${JSON.stringify(r)}\n`);
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exit(1);
    });
} else {
  parent(argv).catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
