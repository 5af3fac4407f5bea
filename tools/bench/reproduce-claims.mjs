#!/usr/bin/env node
// Re-measures every performance figure that README.md and docs/*.md mark as a claim (`<!-- claim:ID -->`
// figure `<!-- /claim -->`; docs/performance.md's generated tables too), with the commands the docs put next
// to them, and prints one row per claim: its id, where it is quoted, what the docs say now and what was
// measured now (and names any marker it did not measure). Run it on an IDLE machine
// (nothing else running: every figure is a time); it records the load average before each step.
//
//   node tools/bench/reproduce-claims.mjs                 everything (~12-15 minutes on an idle 2-core machine)
//   node tools/bench/reproduce-claims.mjs --smoke         the plumbing only: smallest shape, 1 round, demo with
//                                                         1 epoch (its figures mean nothing)
//   node tools/bench/reproduce-claims.mjs --only pairs,demo   some steps (build, sizes, bench, pairs, demo)
//   node tools/bench/reproduce-claims.mjs --out DIR       the results folder (default tools/bench/results/claims-<date>)
//   node tools/bench/reproduce-claims.mjs --write-docs    let bench.mjs and bench-pairs.mjs rewrite their generated
//                                                         tables in docs/performance.md and tools/bench/results/*.json
//                                                         (without it the docs and the tracked results are untouched)
//
// Needs: `npm ci`; PyTorch for the pairs (Debian 12: `apt-get install python3-torch`, found as /usr/bin/python3);
// ffmpeg for the demo (tools/system/setup.sh, or @ffmpeg-installer/ffmpeg). Nothing here asserts a time: it
// measures, writes each step's raw output under the results folder (<step>.log, the tools' JSON) and
// summary.md / summary.json there, and prints the summary. The lead updates the figures between the claim
// markers from it; a figure that moved by more than its quoted range is investigated, not averaged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const smoke = args.includes('--smoke');
const writeDocs = args.includes('--write-docs');
const STEPS = ['build', 'sizes', 'bench', 'pairs', 'demo'];
const only = opt('--only', STEPS.join(',')).split(',');
for (const s of only) if (!STEPS.includes(s)) fail(`--only takes ${STEPS.join(', ')}; got '${s}'`);
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const out = path.resolve(opt('--out', path.join(root, 'tools', 'bench', 'results', `claims-${stamp}${smoke ? '-smoke' : ''}`)));
fs.mkdirSync(out, { recursive: true });

function fail(msg) {
  process.stderr.write(`tools/bench/reproduce-claims.mjs: ${msg}\n`);
  process.exit(1);
}

const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);
const steps = {}; // step -> { command, seconds, status, loadAverage }

/** Runs one command from the repository root, its output teed to <name>.log; returns its stdout. */
function run(name, cmd, argv, env = {}) {
  const command = [cmd, ...argv].map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a}'` : a)).join(' ');
  const loadAtStart = load();
  process.stderr.write(`\n== ${name}: ${command}  (load average ${loadAtStart.join(' / ')})\n`);
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - t0) / 1000;
  fs.writeFileSync(path.join(out, `${name}.log`), `$ ${command}\n--- stdout\n${r.stdout ?? ''}\n--- stderr\n${r.stderr ?? ''}\n--- exit ${r.status}\n`);
  process.stderr.write((r.stderr ?? '').split('\n').slice(-8).join('\n'));
  steps[name] = { command, seconds: Math.round(seconds * 10) / 10, status: r.status, loadAverageAtStart: loadAtStart };
  if (r.status !== 0) process.stderr.write(`\n${name} failed (exit ${r.status}): see ${path.join(out, `${name}.log`)}\n`);
  return r.status === 0 ? r.stdout : null;
}

const readJson = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);
const fmt = (v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const range = (xs, d = 2) => (xs.length ? (xs.length === 1 ? fmt(xs[0], d) : `${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)}`) : '—');
const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sameShape = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The figures the docs mark, <!-- claim:ID -->figure<!-- /claim -->: what the docs say now, per id.
const docFiles = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f)),
  ...fs.readdirSync(path.join(root, 'packages')).map((d) => path.join('packages', d, 'README.md')),
].filter((f) => fs.existsSync(path.join(root, f)));
const marked = new Map(); // id -> { files, texts }
for (const f of docFiles)
  for (const m of fs.readFileSync(path.join(root, f), 'utf8').matchAll(/<!-- claim:([a-z0-9-]+) -->([\s\S]*?)<!-- \/claim -->/g)) {
    const e = marked.get(m[1]) ?? { files: new Set(), texts: new Set() };
    e.files.add(f);
    const text = m[2].replace(/\s+/g, ' ').trim();
    e.texts.add(text.length > 200 ? '(a table)' : text);
    marked.set(m[1], e);
  }
const docsSay = (id) => (marked.has(id) ? [...marked.get(id).texts].join(' / ') : '(not marked in the docs)');

// One row per claim: id, where the docs quote it, what they quote, what this run measured.
const claims = [];
const claim = (id, where, what, measured) => claims.push({ id, where, what, docsSay: docsSay(id), measured });

if (!fs.existsSync(path.join(root, 'node_modules'))) fail('run `npm ci` first');

// ------------------------------------------------------------------------------------------ build
if (only.includes('build')) {
  if (run('build', 'npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']) === null) fail('the build failed; nothing measured');
}

// ------------------------------------------------------------------------------------------ sizes
if (only.includes('sizes')) {
  const text = run('sizes', process.execPath, ['tools/ci/package-sizes.mjs']);
  if (text !== null) {
    fs.writeFileSync(path.join(out, 'package-sizes.md'), text);
    const toolkitRow = (md) => md.split('\n').find((l) => l.startsWith('| @ccl/toolkit |')) ?? '—';
    const docs = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
    claim(
      'package-sizes',
      'docs/architecture.md, "What a user installs with each package" (the whole table: compare package-sizes.md)',
      `@ccl/toolkit row: ${toolkitRow(docs)}`,
      `@ccl/toolkit row: ${toolkitRow(text)}`,
    );
  }
}

// ------------------------------------------------------------------------------------------ bench
if (only.includes('bench')) {
  const argv = ['tools/bench/bench.mjs', ...(smoke ? [] : ['--full']), ...(writeDocs ? [] : ['--no-docs', '--results', out])];
  run('bench', process.execPath, argv);
  const results = readJson(path.join(writeDocs ? path.join(root, 'tools', 'bench', 'results') : out, 'results.json'));
  if (results) {
    if (writeDocs) fs.copyFileSync(path.join(root, 'tools', 'bench', 'results', 'results.json'), path.join(out, 'results.json'));
    const model = (backend, input, threads) =>
      results.runs.find(
        (r) => r.kind === 'model' && !r.error && r.backend === backend && sameShape(r.input, input) && (threads === undefined || r.threads === threads),
      );
    const demo = [4, 8, 56, 56, 3];
    const cpu = model('cpu', demo);
    const wasmRuns = results.runs.filter((r) => r.kind === 'model' && !r.error && r.backend === 'wasm' && sameShape(r.input, demo));
    claim(
      'wasm-vs-cpu',
      'README.md "Tensor backends"; docs/performance.md section 6',
      'training step at the demo size, cpu over wasm',
      cpu
        ? `cpu ${fmt(cpu.stepMs / 1000)} s; ` +
            wasmRuns.map((w) => `wasm x${w.threads} ${fmt(w.stepMs / 1000)} s = ${fmt(cpu.stepMs / w.stepMs, 1)}x`).join('; ')
        : 'cpu run missing',
    );
    const n = Math.min(os.availableParallelism(), 8);
    const threadRow = (input) => {
      const one = model('wasm', input, 1);
      const many = model('wasm', input, n);
      return one && many ? `[${input}] ${fmt(one.stepMs / 1000)} s (1) -> ${fmt(many.stepMs / 1000)} s (${n})` : `[${input}] —`;
    };
    claim(
      'wasm-threads',
      'docs/performance.md section 3',
      'wasm training step, 1 thread vs all cores',
      [demo, [2, 8, 112, 112, 3], [8, 8, 112, 112, 3]].map(threadRow).join('; '),
    );
    const mm = results.runs.filter((r) => r.kind === 'matmul' && r.backend === 'wasm' && !r.error);
    claim(
      'wasm-matmul',
      'docs/performance.md section 3',
      'wasm 1024^3 matmul',
      mm.map((r) => `${r.threads} thread(s) ${fmt(r.gflops, 1)}`).join('; ') + ' GFLOP/s',
    );
  }
}

// ------------------------------------------------------------------------------------------ pairs
if (only.includes('pairs')) {
  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (torch.status !== 0) fail('the pairs need PyTorch as /usr/bin/python3 sees it (Debian 12: apt-get install python3-torch)');
  const shapes = smoke
    ? [[4, 8, 56, 56, 3]]
    : [
        [4, 8, 56, 56, 3],
        [2, 8, 112, 112, 3],
        [8, 8, 112, 112, 3],
      ];
  const argv = [
    'tools/bench/bench-pairs.mjs',
    '--rounds',
    smoke ? '1' : '3',
    '--shapes',
    JSON.stringify(shapes),
    ...(writeDocs ? [] : ['--no-docs', '--results', out]),
  ];
  run('pairs', process.execPath, argv);
  const pairs = readJson(path.join(writeDocs ? path.join(root, 'tools', 'bench', 'results') : out, 'pairs-cpu.json'));
  if (pairs) {
    if (writeDocs) fs.copyFileSync(path.join(root, 'tools', 'bench', 'results', 'pairs-cpu.json'), path.join(out, 'pairs-cpu.json'));
    const pairShapes = {
      'pairs-demo': ['[4, 8, 56, 56, 3]', 'from a run on busy cores'],
      'pairs-2x112': ['[2, 8, 112, 112, 3]', 'issue 29 measured torch 0.85-0.89 s, ccl 3.34-3.35 s'],
      'pairs-paper': ['[8, 8, 112, 112, 3]', 'issue 29 measured torch 4.74 s, ccl 14.16 s back to back'],
    };
    for (const [id, [shape, said]] of Object.entries(pairShapes)) {
      const s = pairs.shapes.find((e) => `[${e.input.join(', ')}]` === shape);
      if (!s) continue;
      const ok = s.pairs.filter((p) => !p.torch.error && !p.ccl.error);
      const ratios = ok.map((p) => p.ccl.stepMs / p.torch.stepMs);
      claim(
        id,
        'README.md "Tensor backends"; docs/performance.md section 12 (bench-pairs-cpu table)',
        `ccl (WASM) / PyTorch step at ${shape}: ${said}`,
        ok.length
          ? `${range(ratios, 1)}x (median ${fmt(median(ratios), 1)}x); torch ${range(ok.map((p) => p.torch.stepMs / 1000))} s, ccl ${range(ok.map((p) => p.ccl.stepMs / 1000))} s; ` +
              `peak RSS torch / ccl ${ok[0].torch.stepPeakRssMiB ?? ok[0].torch.peakRssMiB} / ${ok[0].ccl.stepPeakRssMiB ?? ok[0].ccl.peakRssMiB} MiB; ${ok.length} of ${s.pairs.length} pairs`
          : `failed: ${(s.pairs[0]?.torch.error ?? s.pairs[0]?.ccl.error ?? '').slice(0, 160)}`,
      );
      if (id === 'pairs-paper' && ok.length) {
        const rss = (r) => r.stepPeakRssMiB ?? r.peakRssMiB;
        claim(
          'pairs-rss',
          'docs/performance.md section 6 ("Peak memory within 1.5x")',
          'peak RSS of training at [8, 8, 112, 112, 3], torch / ccl, per pair',
          ok.map((p) => `${rss(p.torch)} / ${rss(p.ccl)} MiB (${fmt(rss(p.ccl) / rss(p.torch))}x)`).join('; '),
        );
      }
    }
  }
}

// ------------------------------------------------------------------------------------------ demo
if (only.includes('demo')) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-claims-demo-'));
  const argv = ['tools/run-ccl.mjs', 'demo', '--work', work, ...(smoke ? ['--epochs', '1'] : [])];
  const t0 = performance.now();
  const text = run('demo', process.execPath, argv);
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(work, { recursive: true, force: true });
  claim(
    'demo-time',
    'README.md "What npm run demo does"',
    '`ccl demo` from an empty work folder, WASM, all cores',
    text === null ? 'failed' : `${fmt(seconds / 60, 2)} min (${fmt(seconds, 0)} s)`,
  );
}

// ------------------------------------------------------------------------------------------ summary
const summary = {
  date: new Date().toISOString(),
  machine: `${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`,
  smoke,
  steps,
  claims,
};
fs.writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
const esc = (s) => String(s).replace(/\|/g, '\\|');
const unmeasured = [...marked].filter(([id]) => !claims.some((c) => c.id === id)).map(([id, e]) => [id, [...e.files]]);
// Every figure is a time on an idle machine: a step that started with another job running is named.
const busy = Object.entries(steps).filter(([k, s]) => k !== 'build' && s.loadAverageAtStart[0] > 0.5);
const md = [
  `Claims re-measured ${summary.date} on ${summary.machine}${smoke ? ' (SMOKE: plumbing only, the figures mean nothing)' : ''}.`,
  '',
  ...(busy.length
    ? [
        `NOT IDLE: the 1-minute load average was above 0.5 at the start of ${busy.map(([k]) => k).join(', ')}; those figures are not comparable to the docs'.`,
        '',
      ]
    : []),
  '| step | seconds | exit | load average at its start |',
  '|---|---|---|---|',
  ...Object.entries(steps).map(([k, s]) => `| ${k} | ${s.seconds} | ${s.status} | ${s.loadAverageAtStart.join(' / ')} |`),
  '',
  ...(unmeasured.length
    ? [
        `Marked in the docs but not measured by this run (${smoke ? '--smoke' : only.length < STEPS.length ? '--only' : 'no step measures them'}): ${unmeasured.map(([id, f]) => `${id} (${f.join(', ')})`).join('; ')}.`,
        '',
      ]
    : []),
  '| claim | quoted in | what | docs say now | measured now |',
  '|---|---|---|---|---|',
  ...claims.map((c) => `| ${c.id} | ${esc(c.where)} | ${esc(c.what)} | ${esc(c.docsSay)} | ${esc(c.measured)} |`),
  '',
].join('\n');
fs.writeFileSync(path.join(out, 'summary.md'), md);
process.stdout.write(`\n${md}\nRaw outputs: ${out}\n`);
process.exit(Object.values(steps).some((s) => s.status !== 0) ? 1 : 0);
