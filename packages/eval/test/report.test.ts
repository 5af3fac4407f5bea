import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import {
  bootstrapComparison,
  buildReport,
  compareRuns,
  formatBootstrapTable,
  evaluateRecognition,
  evaluateRetrieval,
  linearProbe,
  meanStd,
  parseTrainingLog,
  renderMarkdown,
  splitClassesByAgreement,
  writeReport,
  type ReportJson,
} from '../src';

/** Rows of the first Markdown table after `heading`, as arrays of trimmed cells (header row first). */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  let i = lines.findIndex((l) => l.trim() === heading);
  expect(i).toBeGreaterThanOrEqual(0);
  while (!lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
    if (/^\|(---\|)+$/.test(lines[i]!)) continue;
    rows.push(
      lines[i]!.slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The number a Markdown cell shows, as a fraction (cells are percentages). */
const cellFraction = (cell: string) => Number(cell) / 100;

// A tiny "run": 3 classes, 6 videos of 2 windows, two methods.
const classNames = ['Drumming', 'Typing', 'Surfing'];
const ids = ['v0', 'v0', 'v1', 'v1', 'v2', 'v2', 'v3', 'v3', 'v4', 'v4', 'v5', 'v5'];
const videoLabels = { v0: 0, v1: 0, v2: 1, v3: 1, v4: 2, v5: 2 };
const logitsBaseline = [
  [2, 0, 0],
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0, 2, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0, 1, 0],
  [0, 0, 3],
  [1, 0, 0],
  [1, 0, 0],
  [0, 0, 1],
];
const logitsCcl = [
  [2, 0, 0],
  [1, 0, 0],
  [3, 1, 0],
  [2, 0, 1],
  [0, 2, 0],
  [0, 1, 0],
  [0, 3, 1],
  [0, 1, 0],
  [0, 0, 3],
  [1, 0, 2],
  [1, 0, 0],
  [0, 0, 1],
];
const feats = (shift: number) => [
  [1, 0.1 * shift],
  [0.9, 0.2],
  [0.1, 1],
  [0.2, 0.9 + 0.1 * shift],
  [-1, 0],
  [-0.9, 0.1],
];
const trainingLog = [
  '{"step": 0, "ce": 3.9, "nce": 2.1}',
  '{"step": 10, "ce": 3.1, "nce": 1.7}',
  '{"step": 20, "ce": 2.4, "nce": 1.5, "note": "lr drop"}',
  '',
  '{"epoch": 1, "val_clip_acc": 0.21, "train_acc": 0.3}',
  '{"epoch": 2, "val_clip_acc": 0.34, "train_acc": 0.45}',
].join('\n');

describe('run comparison', () => {
  it('mean and sample std over seeds equal hand values', () => {
    const s = meanStd([0.5, 0.6, 0.7]);
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(s.std).toBeCloseTo(0.1, 12);
    expect(meanStd([0.4])).toEqual({ mean: 0.4, std: 0, n: 1 });
    const c = compareRuns([
      { method: 'CCL', seed: 0, metrics: { top1: 0.7, 'R@1': 0.3 } },
      { method: 'CCL', seed: 1, metrics: { top1: 0.6, 'R@1': null } },
      { method: 'baseline', seed: 0, metrics: { top1: 0.5 } },
    ]);
    expect(c.metrics).toEqual(['top1', 'R@1']);
    expect(c.rows[0]!.stats['top1']!.mean).toBeCloseTo(0.65, 12);
    expect(c.rows[0]!.stats['top1']!.std).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(c.rows[0]!.stats['R@1']).toEqual({ mean: 0.3, std: 0, n: 1 });
    expect(c.rows[1]!.stats['R@1']).toEqual({ mean: null, std: null, n: 0 });
    expect(() =>
      compareRuns([
        { method: 'a', seed: 1, metrics: {} },
        { method: 'a', seed: 1, metrics: {} },
      ]),
    ).toThrow(/seed 1 appears twice/);
  });
});

describe('training log', () => {
  it('parses step and epoch records, keeps numeric fields', () => {
    const log = parseTrainingLog(trainingLog, 'run/log.jsonl');
    expect(log.steps.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(log.steps[2]!.values).toEqual({ ce: 2.4, nce: 1.5 });
    expect(log.epochs[1]).toEqual({ epoch: 2, values: { val_clip_acc: 0.34, train_acc: 0.45 } });
  });
  it("keeps a step record's epoch where it is logged (as @ccl/distill's steps.jsonl does), not as a curve", () => {
    const log = parseTrainingLog('{"epoch": 3, "step": 1, "globalStep": 40, "cls_v": 0.5}\n{"step": 2, "cls_v": 0.4}', 'steps.jsonl');
    expect(log.steps).toEqual([
      { step: 40, epoch: 3, values: { cls_v: 0.5 } },
      { step: 2, values: { cls_v: 0.4 } },
    ]);
  });
  it('names the file and line of bad records', () => {
    expect(() => parseTrainingLog('{"step": 1}\n{oops', 'run/log.jsonl')).toThrow(/run\/log.jsonl line 2 is not valid JSON/);
    expect(() => parseTrainingLog('{"loss": 1}', 'x.jsonl')).toThrow(/x.jsonl line 1 has neither a numeric "step" nor "epoch"/);
  });
});

describe('writeReport', () => {
  let dir: string;
  let report: ReportJson;
  let files: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-eval-report-'));
    const rec = (logits: number[][]) => evaluateRecognition({ windowScores: logits, videoIds: ids, videoLabels, classNames, ks: [1, 2] });
    const ret = (shift: number) =>
      evaluateRetrieval({ queries: feats(shift), queryLabels: [0, 0, 1, 1, 2, 2], gallery: feats(0), galleryLabels: [0, 1, 1, 2, 2, 0], ks: [1, 5, 10, 20] });
    const probe = linearProbe({
      train: { features: feats(0), labels: [0, 0, 1, 1, 2, 2] },
      test: { features: feats(1), labels: [0, 0, 1, 1, 2, 2] },
      numClasses: 3,
    });
    const out = await writeReport(dir, {
      title: 'Tiny run',
      notes: ['checkpoint chosen on a held-out validation split'],
      recognition: { baseline: rec(logitsBaseline), CCL: rec(logitsCcl) },
      retrieval: { baseline: ret(0), CCL: ret(1) },
      probes: { audio: probe },
      classSplit: splitClassesByAgreement([0.9, 0.4, 0.1]),
      baseline: 'baseline',
      runs: [
        { method: 'baseline', seed: 0, metrics: { top1: 0.5, 'R@1': 0.3 } },
        { method: 'baseline', seed: 1, metrics: { top1: 0.6, 'R@1': 0.35 } },
        { method: 'CCL', seed: 0, metrics: { top1: 0.7, 'R@1': 0.4 } },
      ],
      trainingLog: { source: 'log.jsonl', text: trainingLog },
      raster: true,
    });
    report = out.report;
    files = out.files;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the HTML, JSON, Markdown, CSVs, an SVG per figure and PNGs (where asked) that decode at their stated sizes', () => {
    expect(files.map((f) => path.basename(f)).sort()).toEqual([
      'curves.csv',
      'epoch-train-acc.png',
      'epoch-train-acc.svg',
      'epoch-val-clip-acc.png',
      'epoch-val-clip-acc.svg',
      'loss-ce.png',
      'loss-ce.svg',
      'loss-nce.png',
      'loss-nce.svg',
      'per-class-accuracy.png',
      'per-class-accuracy.svg',
      'recall-at-k.png',
      'recall-at-k.svg',
      'report.html',
      'report.json',
      'results.csv',
      'subset-accuracy.png',
      'subset-accuracy.svg',
      'summary.md',
    ]);
    for (const f of files) expect(fs.statSync(f).size).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temp files left
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    for (const fig of report.figures) {
      const svg = fs.readFileSync(path.join(dir, fig.file), 'utf8');
      expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" width="${fig.width}" height="${fig.height}"`)).toBe(true);
      expect(svg).toContain('font-family="&#39;DejaVu Sans&#39;');
      expect(svg).toContain(`>${fig.title.replace(/&/g, '&amp;')}</text>`);
      if (!fig.png) continue;
      const png = PNG.sync.read(fs.readFileSync(path.join(dir, fig.png.file)));
      expect([png.width, png.height]).toEqual([fig.png.width, fig.png.height]);
      // not blank: some dark (text/axis) pixels and some coloured (series) pixels
      let dark = 0,
        coloured = 0;
      for (let p = 0; p < png.width * png.height; p++) {
        const [r, g, b] = [png.data[p * 4]!, png.data[p * 4 + 1]!, png.data[p * 4 + 2]!];
        if (r < 40 && g < 40 && b < 40) dark++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured++;
      }
      expect(dark).toBeGreaterThan(100);
      expect(coloured).toBeGreaterThan(20);
    }
    expect(report.figures.map((f) => f.png?.file)).toEqual(report.figures.map((f) => f.file.replace(/\.svg$/, '.png'))); // every figure has its PNG
    for (const f of report.figures) expect(f.png).toEqual({ file: f.file.replace(/\.svg$/, '.png'), width: 2 * f.width, height: 2 * f.height }); // the SVG at zoom 2
    // accuracies logged as fractions are plotted in %
    const acc = fs.readFileSync(path.join(dir, 'epoch-val-clip-acc.svg'), 'utf8');
    expect(acc).toContain('accuracy (%)');
    expect(report.figures.find((f) => f.term === 'val_clip_acc')!.title).toBe('val_clip_acc (%)');
  });

  it('Markdown numbers equal the JSON', () => {
    const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
    const recT = tableAfter(md, '## Recognition (video level)');
    expect(recT[0]).toEqual(['method', 'videos', 'top-1 (%)', 'top-2 (%)', 'mean class acc. (%)']);
    for (const row of recT.slice(1)) {
      const j = report.recognition[row[0]!]!;
      expect(Number(row[1])).toBe(j.numVideos);
      expect(cellFraction(row[2]!)).toBeCloseTo(j.topK['1']!, 3);
      expect(cellFraction(row[3]!)).toBeCloseTo(j.topK['2']!, 3);
      expect(cellFraction(row[4]!)).toBeCloseTo(j.meanClassAccuracy!, 3);
    }
    const retT = tableAfter(md, '## Retrieval');
    expect(retT[0]).toEqual(['method', 'queries', 'gallery', 'R@1 (%)', 'R@5 (%)', 'R@10 (%)', 'R@20 (%)', 'mAP (%)']);
    for (const row of retT.slice(1)) {
      const j = report.retrieval[row[0]!]!;
      ['1', '5', '10', '20'].forEach((k, i) => expect(cellFraction(row[3 + i]!)).toBeCloseTo(j.recallAtK[k]!, 3));
      expect(cellFraction(row[7]!)).toBeCloseTo(j.mAP!, 3);
    }
    const prT = tableAfter(md, '## Linear probes');
    expect(cellFraction(prT[1]![5]!)).toBeCloseTo(report.probes['audio']!.top1, 3);
    const subT = tableAfter(md, '### Accuracy per class subset');
    const t = report.subsetTable!;
    expect(subT[0]).toEqual(['method', ...t.subsets.map((s) => `${s.name} (${s.numClasses})`)]);
    for (const row of t.rows) {
      const mdRow = subT.find((r) => r[0] === row.method)!;
      row.accuracy.forEach((a, i) => (a === null ? expect(mdRow[1 + i]).toBe('–') : expect(cellFraction(mdRow[1 + i]!)).toBeCloseTo(a, 3)));
    }
    const gainRow = subT.find((r) => r[0] === 'CCL gain')!;
    t.rows[1]!.gain.forEach((g, i) => (g === null ? expect(gainRow[1 + i]).toBe('–') : expect(cellFraction(gainRow[1 + i]!)).toBeCloseTo(g, 3)));
    const cmpT = tableAfter(md, '## Method comparison');
    for (const row of report.comparison!.rows) {
      const mdRow = cmpT.find((r) => r[0] === row.method)!;
      report.comparison!.metrics.forEach((m, i) => {
        const cells = mdRow[2 + i]!.split(' ± ');
        expect(cells).toHaveLength(row.seeds.length === 1 ? 1 : 2); // one seed: the value alone
        expect(cellFraction(cells[0]!)).toBeCloseTo(row.stats[m]!.mean!, 3);
        if (cells[1] !== undefined) expect(cellFraction(cells[1])).toBeCloseTo(row.stats[m]!.std!, 3);
      });
    }
    expect(md).toContain('Drumming'); // class names in the semantic-gap section
    for (const f of report.figures) expect(md).toContain(`](${f.file})`);
  });

  it('the subset table was computed from the recognition results (hand check)', () => {
    // baseline per-class: v0 (class 0) mean softmax favours 0, v1 favours... computed independently below
    const t = report.subsetTable!;
    const perClass = report.recognition['CCL']!.perClassAccuracy;
    expect(t.rows[1]!.accuracy[0]).toBe(perClass[0]); // 'correlated' = class 0 only
    expect(t.subsets.map((s) => s.numClasses)).toEqual([1, 1, 2, 1, 3]);
  });
});

describe("the loss curves' PNGs", () => {
  // a noisy curve: smoothing and the log axis must change what is drawn
  const log = Array.from({ length: 60 }, (_, i) => `{"step": ${i}, "ce": ${(3 * Math.exp(-i / 20) + (i % 2 ? 0.4 : 0.05)).toFixed(4)}}`).join('\n');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-eval-loss-png-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const lossPng = async (curves: { smoothing?: number; logScale?: boolean }) => {
    const dir = path.join(root, String(n++));
    const { report } = await writeReport(dir, { title: 'curves', trainingLogs: { run: { source: 'log.jsonl', text: log } }, curves, raster: true });
    return fs.readFileSync(path.join(dir, report.figures.find((f) => f.kind === 'loss-term')!.png!.file));
  };

  it('are rasterised from the SVG: smoothing and the log axis change them, the same input gives the same bytes', async () => {
    const raw = await lossPng({ smoothing: 0 });
    expect((await lossPng({ smoothing: 0 })).equals(raw)).toBe(true); // deterministic
    expect((await lossPng({ smoothing: 0.9 })).equals(raw)).toBe(false);
    expect((await lossPng({ smoothing: 0, logScale: true })).equals(raw)).toBe(false);
  });

  it('are not written unless asked for: SVGs only by default', async () => {
    const dir = path.join(root, 'svg-only');
    const { report, files } = await writeReport(dir, { title: 'curves', trainingLogs: { run: { source: 'log.jsonl', text: log } } });
    expect(report.figures.map((f) => f.png)).toEqual([null]);
    expect(files.filter((f) => f.endsWith('.png'))).toEqual([]);
  });
});

describe('the method comparison of a one-seed report (the demo)', () => {
  // one seed, 8 test videos: baseline right on 4, ccl on 6
  const videoIds = Array.from({ length: 8 }, (_, i) => `v${i}`);
  const outcomes = [
    { method: 'baseline', seed: 1, videoIds, values: [1, 1, 0, 1, 0, 0, 1, 0] },
    { method: 'ccl', seed: 1, videoIds, values: [1, 1, 1, 1, 0, 1, 1, 0] },
  ];
  const bootstrap = bootstrapComparison(outcomes, { baseline: 'baseline', replicates: 500, seed: 3 });
  const runs = [
    { run: 'baseline', method: 'baseline', seed: 1, metrics: { 'top-1': 0.5 } },
    { run: 'ccl', method: 'ccl', seed: 1, metrics: { 'top-1': 0.75 } },
  ];
  const built = buildReport({ title: 'demo', runs, bootstrap });
  const md = renderMarkdown(built.json);

  it('shows each value alone, not a spread of one value ("50.0 ± 0.0")', () => {
    const table = tableAfter(md, '## Method comparison');
    expect(table.slice(1)).toEqual([
      ['baseline', '1', '50.0'],
      ['ccl', '1', '75.0'],
    ]);
    expect(md).not.toContain('±');
  });

  it('shows the bootstrap CI over the test videos, as the console prints it', () => {
    expect(built.json.bootstrap).toEqual(bootstrap);
    const table = tableAfter(md, '### Bootstrap confidence intervals').map((r) => r.map((c) => c.replace(/\\([[\]])/g, '$1'))); // Markdown escapes [ ]
    const printed = formatBootstrapTable(bootstrap)
      .split('\n')
      .filter((l) => !/^\|(---\|)+$/.test(l))
      .map((l) =>
        l
          .slice(1, -1)
          .split(' | ')
          .map((c) => c.trim()),
      );
    expect(table).toEqual(printed);
    expect(table[1]![1]).toMatch(/^50\.0 \[\d+\.\d, \d+\.\d\]$/); // the mean with its CI
    expect(md).toContain('Bootstrap over the 8 test videos of a single seed');
  });

  it('the HTML report shows the same two tables', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-eval-one-seed-'));
    try {
      await writeReport(dir, { title: 'demo', runs, bootstrap });
      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(html).toContain('id="table-comparison"');
      expect(html).toContain('id="table-bootstrap"');
      expect(html).not.toContain('± 0.0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
