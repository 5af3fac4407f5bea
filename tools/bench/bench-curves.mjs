#!/usr/bin/env node
// Held-out accuracy per epoch, mean over seeds, one line per method, from a `ccl bench synthetic` work
// folder: `node tools/bench/bench-curves.mjs WORK_DIR OUT.svg|OUT.png [method,method,...]`. Needs `npm run build`
// (and, for a PNG, @ccl/eval's optional rasteriser packages @resvg/resvg-wasm and dejavu-fonts-ttf).
// Used for the curves in docs/benchmark.md (have the CCL runs' held-out curves flattened?).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { paletteColour, rasteriseSvg, svgLineChart } = require('../../packages/eval/dist/index.mjs');
const { writeFileAtomicSync } = require('../../packages/base/dist/node.mjs');

const [workDir, out, only] = process.argv.slice(2);
if (!workDir || !out) {
  process.stderr.write('usage: node tools/bench/bench-curves.mjs WORK_DIR OUT.svg|OUT.png [methods]\n');
  process.exit(2);
}
const runsDir = path.join(workDir, 'runs');
const byMethod = new Map(); // method -> epoch -> values (%)
for (const run of fs.readdirSync(runsDir)) {
  const m = /^(.*)-s(\d+)$/.exec(run);
  const file = path.join(runsDir, run, 'epochs.jsonl');
  if (!m || !fs.existsSync(file)) continue;
  if (only && !only.split(',').includes(m[1])) continue;
  const epochs = byMethod.get(m[1]) ?? new Map();
  byMethod.set(m[1], epochs);
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    if (typeof r.valClipAccuracy !== 'number') continue;
    const list = epochs.get(r.epoch + 1) ?? [];
    list.push(100 * r.valClipAccuracy);
    epochs.set(r.epoch + 1, list);
  }
}
const order = only ? only.split(',') : [...byMethod.keys()].sort();
const series = order
  .filter((m) => byMethod.has(m))
  .map((name, i) => {
    const epochs = [...byMethod.get(name).keys()].sort((a, b) => a - b);
    return {
      name,
      colour: paletteColour(i),
      x: epochs,
      y: epochs.map((e) => {
        const v = byMethod.get(name).get(e);
        return v.reduce((a, b) => a + b, 0) / v.length;
      }),
    };
  });
const chart = svgLineChart({
  title: 'Held-out clip accuracy (mean over seeds)',
  xLabel: 'epoch',
  yLabel: 'held-out accuracy (%)',
  series,
  markers: false,
  width: 640,
  height: 400,
});
writeFileAtomicSync(out, out.endsWith('.png') ? await rasteriseSvg(chart.svg) : chart.svg);
process.stdout.write(`wrote ${out} (${series.length} methods)\n`);
