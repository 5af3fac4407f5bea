#!/usr/bin/env node
// ccl against PyTorch, measured in one invocation, alternating (torch, ccl, torch, ccl, ...), so that both
// sides of every ratio saw the same machine state; the docs quote only these pairs, as ranges.
//
//   node tools/bench/bench-pairs.mjs                       CPU: ccl on wasm vs PyTorch on the CPU, at the demo size and
//                                                    [2, 8, 112, 112, 3], with 2 threads each (or --threads N)
//   node tools/bench/bench-pairs.mjs --device cuda         GPU: ccl on webgpu vs PyTorch eager on CUDA, at the paper's
//                                                    [8, 8, 112, 112, 3] and [32, 16, 112, 112, 3] (tools/bench/gpu-bench.sh)
//   options: --rounds R (default 2)  --python PATH (default: /usr/bin/python3 when it has torch, else python3)
//            --shapes '[[B,T,H,W,C], ...]'  --width W  --no-docs  --results DIR (where pairs-<device>.json goes;
//            default tools/bench/results)
//
// Each measurement is one child process (tools/bench/bench.mjs --child / tools/bench/bench-torch.py --child), timing the
// best of its steps after a warm-up step. Writes tools/bench/results/pairs-<device>.json and the table between the
// `bench-pairs-<device>` markers of docs/performance.md (atomically). Nothing here asserts a time.
// Needs PyTorch (Debian's python3-torch for the CPU; the GPU machine's own for CUDA) and a built ccl
// (`npm run bench` builds it; `npx nx run @ccl/toolkit:build`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { replaceBetweenMarkers } from './doc-markers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const device = opt('--device', 'cpu');
if (device !== 'cpu' && device !== 'cuda') throw new Error(`tools/bench/bench-pairs.mjs: --device is cpu or cuda, got '${device}'`);
const rounds = Number(opt('--rounds', '2'));
const threads = Number(opt('--threads', String(Math.min(os.availableParallelism(), 8))));
const defaults =
  device === 'cuda'
    ? [
        [8, 8, 112, 112, 3],
        [32, 16, 112, 112, 3],
      ]
    : [
        [4, 8, 56, 56, 3],
        [2, 8, 112, 112, 3],
      ];
const shapes = JSON.parse(opt('--shapes', JSON.stringify(defaults)));
const widthOf = (input) => Number(opt('--width', input[2] === 56 ? '0.25' : '1'));

function pythonWithTorch() {
  const candidates = [opt('--python', null), '/usr/bin/python3', 'python3'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { py, version: r.stdout.trim() };
  }
  throw new Error(`tools/bench/bench-pairs.mjs: no python with torch among ${candidates.join(', ')} (Debian: apt-get install python3-torch)`);
}

/** Runs one child and returns its BENCH_RESULT, or { error }. */
function measure(cmd, argv) {
  try {
    const out = execFileSync(cmd, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60 * 1000, maxBuffer: 1 << 24 });
    const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    if (!line) return { error: `no result: ${out.slice(-300)}` };
    return JSON.parse(line.slice('BENCH_RESULT '.length));
  } catch (err) {
    return { error: `${err.stderr ?? ''}${err.message ?? err}`.trim().split('\n').slice(-3).join(' | ') };
  }
}

const fmt = (v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const range = (xs, d = 2) => (xs.length ? `${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)}` : '—');

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function markdown(result) {
  const cclName = device === 'cuda' ? 'ccl (WebGPU)' : 'ccl (WASM)';
  const torchName = device === 'cuda' ? 'PyTorch eager (CUDA)' : 'PyTorch (CPU)';
  const lines = [
    `Measured ${result.date} on ${result.machine}, ${result.rounds} rounds alternating torch, ccl (each a fresh process; ` +
      `best step after a warm-up step), PyTorch ${result.torch}, ${result.threads} threads each, load average at start ${result.loadAverage.join(' / ')}.`,
    '',
    `| input [B, T, H, W, C] | width | ${torchName} step (s) | ${cclName} step (s) | step ratio ccl / torch | forward ratio | ${device === 'cuda' ? 'peak GPU MiB torch / ccl' : 'peak RSS MiB torch / ccl'} |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of result.shapes) {
    const ok = s.pairs.filter((p) => !p.torch.error && !p.ccl.error);
    const failed = s.pairs.find((p) => p.torch.error || p.ccl.error);
    const mem = (r) => (device === 'cuda' ? r.peakGpuMiB : (r.stepPeakRssMiB ?? r.peakRssMiB));
    lines.push(
      `| [${s.input.join(', ')}] | ${s.width} | ${range(ok.map((p) => p.torch.stepMs / 1000))} | ${range(ok.map((p) => p.ccl.stepMs / 1000))} | ` +
        `${range(
          ok.map((p) => p.ccl.stepMs / p.torch.stepMs),
          1,
        )}x | ${range(
          ok.map((p) => p.ccl.forwardMs / p.torch.forwardMs),
          1,
        )}x | ` +
        `${ok.length ? `${mem(ok[0].torch) ?? '—'} / ${mem(ok[0].ccl) ?? '—'}` : `failed: ${(failed?.torch.error ?? failed?.ccl.error ?? '').slice(0, 120)}`} |`,
    );
  }
  return lines.join('\n');
}

function writeDocs(table) {
  const doc = path.join(root, 'docs', 'performance.md');
  writeAtomic(doc, replaceBetweenMarkers(fs.readFileSync(doc, 'utf8'), `bench-pairs-${device}`, table, 'tools/bench/bench-pairs.mjs'));
}

const { py, version } = pythonWithTorch();
const backend = device === 'cuda' ? 'webgpu' : 'wasm';
const result = {
  date: new Date().toISOString(),
  machine: `${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'})`,
  device,
  torch: version,
  threads,
  rounds,
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  shapes: [],
};
for (const input of shapes) {
  const width = widthOf(input);
  const cfg = { kind: 'model', model: 'r2plus1d-18', widthMultiplier: width, input, numClasses: 101, steps: 3 };
  const entry = { input, width, pairs: [] };
  for (let r = 0; r < rounds; r++) {
    process.stderr.write(`pairs [${input}] round ${r + 1}/${rounds}: torch ... `);
    const torch = measure(py, [path.join('tools', 'bench', 'bench-torch.py'), '--child', JSON.stringify({ ...cfg, threads, device })]);
    process.stderr.write(`${torch.error ? 'failed' : `${fmt(torch.stepMs / 1000)} s`}; ccl ... `);
    const ccl = measure(process.execPath, [
      path.join('tools', 'bench', 'bench.mjs'),
      '--child',
      JSON.stringify({ ...cfg, backend, threads, profileStep: false }),
    ]);
    process.stderr.write(`${ccl.error ? `failed: ${ccl.error}` : `${fmt(ccl.stepMs / 1000)} s (${fmt(ccl.stepMs / torch.stepMs, 1)}x)`}\n`);
    entry.pairs.push({ torch, ccl });
  }
  result.shapes.push(entry);
}
const resultsDir = path.resolve(opt('--results', path.join(root, 'tools', 'bench', 'results')));
writeAtomic(path.join(resultsDir, `pairs-${device}.json`), `${JSON.stringify(result, null, 2)}\n`);
const table = markdown(result);
process.stdout.write(`${table}\n`);
if (!args.includes('--no-docs')) writeDocs(table);
