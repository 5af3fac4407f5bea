import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import {
  aggregateVideoScores,
  evaluateRecognition,
  evaluateRetrieval,
  readRunDirectory,
  reportFromRunDirectories,
  toReferenceValJson,
  writeRunEvaluation,
} from '../src';

const classNames = ['A', 'B'];
const ids = ['x', 'x', 'y', 'z'];
const videoLabels = { x: 0, y: 1, z: 1 };

/** A run folder laid out like @ccl/distill's trainer output, plus our eval/ results. */
function makeRun(root: string, method: string, seed: number, logits: number[][]): string {
  const dir = path.join(root, `${method}-${seed}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({ method, seed, selection: 'checkpoint selected on a held-out split of the training set', config: {} }),
  );
  fs.writeFileSync(
    path.join(dir, 'steps.jsonl'),
    [0, 1, 2, 3]
      .map((s) =>
        JSON.stringify({
          epoch: Math.floor(s / 2),
          step: s % 2,
          globalStep: s,
          lr: 0.1,
          loss: 3 - s * 0.5,
          applied: true,
          cls_v: 2 - s * 0.3,
          nce_a: 1 - s * 0.1,
          'missing.audio': 0,
        }),
      )
      .join('\n') + '\n',
  );
  fs.writeFileSync(
    path.join(dir, 'epochs.jsonl'),
    [0, 1].map((e) => JSON.stringify({ epoch: e, lr: 0.1, steps: 2, globalStep: 2 * e + 2, valClipAccuracy: 0.4 + 0.1 * e })).join('\n') + '\n',
  );
  const recognition = evaluateRecognition({ windowScores: logits, videoIds: ids, videoLabels, classNames });
  const retrieval = evaluateRetrieval({
    queries: logits,
    queryLabels: [0, 0, 1, 1],
    gallery: [
      [1, 0],
      [0, 1],
    ],
    galleryLabels: [0, 1],
    ks: [1, 2],
  });
  writeRunEvaluation(dir, { recognition, retrieval, valJson: toReferenceValJson(aggregateVideoScores(logits, ids), classNames, 2) });
  return dir;
}

describe('run folders', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-eval-runs-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads what the trainer and writeRunEvaluation wrote', () => {
    const dir = makeRun(root, 'ccl', 0, [
      [2, 0],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const r = readRunDirectory(dir);
    expect(r.method).toBe('ccl');
    expect(r.seed).toBe(0);
    expect(r.recognition!.top1).toBeCloseTo(2 / 3, 12); // x -> 0 ok, y -> 1 ok, z -> 0 wrong
    expect(r.retrieval!.recallAtK['1']).toBe(0.75);
    expect(r.trainingLog!.steps.map((s) => s.step)).toEqual([0, 1, 2, 3]); // globalStep
    expect(r.trainingLog!.steps[0]!.values).toEqual({ lr: 0.1, loss: 3, cls_v: 2, nce_a: 1, 'missing.audio': 0 });
    expect(r.trainingLog!.epochs.map((e) => e.values['valClipAccuracy'])).toEqual([0.4, 0.5]);
    const val = JSON.parse(fs.readFileSync(path.join(dir, 'eval', 'val.json'), 'utf8'));
    expect(Object.keys(val.results)).toEqual(['x', 'y', 'z']);
  });

  it('rejects folders without run.json and files with the wrong schema', () => {
    expect(() => readRunDirectory(path.join(root, 'nope'))).toThrow(/not a run folder \(no run.json\)/);
    const dir = path.join(root, 'bad');
    fs.mkdirSync(path.join(dir, 'eval'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ method: 'm', seed: 1 }));
    fs.writeFileSync(path.join(dir, 'eval', 'recognition.json'), JSON.stringify({ schema: 'other' }));
    expect(() => readRunDirectory(dir)).toThrow(/recognition.json has schema "other", expected "ccl.recognition\/1"/);
  });

  it('builds one report over several seeds and methods; the comparison equals hand means', async () => {
    const dirs = [
      makeRun(root, 'baseline', 0, [
        [0, 1],
        [0, 1],
        [0, 1],
        [1, 0],
      ]), // top-1: x wrong, y ok, z wrong = 1/3
      makeRun(root, 'baseline', 1, [
        [2, 0],
        [1, 0],
        [0, 1],
        [0, 1],
      ]), // all right = 1
      makeRun(root, 'ccl', 7, [
        [2, 0],
        [1, 0],
        [0, 1],
        [1, 0],
      ]), // 2/3
    ];
    const out = path.join(root, 'report');
    const { files, report } = await reportFromRunDirectories(dirs, out, { title: 'Three runs', raster: true });
    expect(Object.keys(report.recognition)).toEqual(['baseline s0', 'baseline s1', 'ccl']);
    const base = report.comparison!.rows.find((r) => r.method === 'baseline')!;
    expect(base.seeds).toEqual([0, 1]);
    expect(base.stats['top-1']!.mean).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(base.stats['top-1']!.std).toBeCloseTo(Math.sqrt(2 * (1 / 3) ** 2), 12);
    expect(report.notes.some((n) => n.includes('held-out split'))).toBe(true);
    const names = files.map((f) => path.basename(f)).sort();
    expect(names).toEqual([
      'curves.csv',
      'epoch-valclipaccuracy.png',
      'epoch-valclipaccuracy.svg',
      'loss-cls-v.png',
      'loss-cls-v.svg',
      'loss-loss.png',
      'loss-loss.svg',
      'loss-nce-a.png',
      'loss-nce-a.svg',
      'per-class-accuracy.png',
      'per-class-accuracy.svg',
      'recall-at-k.png',
      'recall-at-k.svg',
      'report.html',
      'report.json',
      'results.csv',
      'summary.md',
    ]);
    for (const f of report.figures.filter((f) => f.png)) {
      const png = PNG.sync.read(fs.readFileSync(path.join(out, f.png!.file)));
      expect([png.width, png.height]).toEqual([f.png!.width, f.png!.height]);
    }
    const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| baseline | 2 |'))!;
    expect(row).toContain(`${(100 * base.stats['top-1']!.mean!).toFixed(1)} ± ${(100 * base.stats['top-1']!.std!).toFixed(1)}`);
  });

  it('overlays every run in every curve, each run in one colour across all figures', async () => {
    const runs = ['baseline', 'ccl', 'fitnet'].map((m, i) =>
      makeRun(path.join(root, 'overlay'), m, 1, [
        [2, i],
        [1, 0],
        [0, 1],
        [i, 0],
      ]),
    );
    const out = path.join(root, 'overlay-report');
    const { report } = await reportFromRunDirectories(runs, out);
    expect(Object.keys(report.colours)).toEqual(['baseline', 'ccl', 'fitnet']);
    expect(new Set(Object.values(report.colours)).size).toBe(3);
    const seriesColours = (file: string) => {
      const svg = fs.readFileSync(path.join(out, file), 'utf8');
      return [...svg.matchAll(/<g data-run="([^"]+)" class="series">(.*?)<\/g>/g)].map((m) => [m[1], /(?:stroke|fill)="(#[0-9a-f]{6})"/.exec(m[2]!)![1]]);
    };
    for (const fig of report.figures) {
      const pairs = seriesColours(fig.file);
      expect(pairs.map((p) => p[0])).toEqual(['baseline', 'ccl', 'fitnet']); // all runs, not only the first
      for (const [run, colour] of pairs) expect(colour).toBe(report.colours[run!]);
    }
    expect(report.figures.filter((f) => f.kind === 'loss-term').map((f) => f.term)).toEqual(['loss', 'cls_v', 'nce_a']);
  });

  it('writes curves.csv and results.csv in long format that parse back to the logged values', () => {
    const out = path.join(root, 'overlay-report');
    const curves = parseCsv(fs.readFileSync(path.join(out, 'curves.csv'), 'utf8'));
    expect(curves[0]).toEqual(['run', 'axis', 'x', 'term', 'value']);
    const rows = curves.slice(1);
    for (const r of rows) expect(r).toHaveLength(5);
    // per run: 4 step records x {lr, loss, cls_v, nce_a, missing.audio} + 2 epoch records x {lr, valClipAccuracy}
    expect(rows).toHaveLength(3 * (4 * 5 + 2 * 2));
    const value = (run: string, axis: string, x: number, term: string) => {
      const hit = rows.filter((r) => r[0] === run && r[1] === axis && Number(r[2]) === x && r[3] === term);
      expect(hit).toHaveLength(1);
      return Number(hit[0]![4]);
    };
    expect(value('ccl', 'step', 2, 'cls_v')).toBeCloseTo(2 - 2 * 0.3, 12);
    expect(value('fitnet', 'epoch', 1, 'valClipAccuracy')).toBeCloseTo(0.5, 12);
    const results = parseCsv(fs.readFileSync(path.join(out, 'results.csv'), 'utf8'));
    expect(results[0]).toEqual(['run', 'method', 'seed', 'metric', 'value']);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    const top1 = results.find((r) => r[0] === 'ccl' && r[3] === 'top-1')!;
    expect(top1.slice(1, 3)).toEqual(['ccl', '1']);
    expect(Number(top1[4])).toBe(report.recognition['ccl'].topK['1']);
    const mean = results.find((r) => r[0] === 'fitnet' && r[3] === 'mean class acc.')!;
    expect(Number(mean[4])).toBe(report.recognition['fitnet'].meanClassAccuracy);
    expect(results.filter((r) => r[3] === 'R@2').map((r) => r[0])).toEqual(['baseline', 'ccl', 'fitnet']);
  });

  it('refuses two folders of the same method and seed, naming both', async () => {
    const a = makeRun(path.join(root, 'dup-a'), 'ccl', 3, [
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    const b = makeRun(path.join(root, 'dup-b'), 'ccl', 3, [
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    await expect(reportFromRunDirectories([a, b], path.join(root, 'dup-report'))).rejects.toThrow(/two run folders are both 'ccl s3'.*dup-a.*dup-b/);
  });
});

/** RFC 4180 CSV → rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\n') (row.push(field), rows.push(row), (row = []), (field = ''));
    else field += c;
  }
  if (field !== '' || row.length) (row.push(field), rows.push(row));
  return rows;
}
