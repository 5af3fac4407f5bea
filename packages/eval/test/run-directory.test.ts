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

  it('builds one report over several seeds and methods; the comparison equals hand means', () => {
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
    const { files, report } = reportFromRunDirectories(dirs, out, { title: 'Three runs' });
    expect(Object.keys(report.recognition)).toEqual(['baseline s0', 'baseline s1', 'ccl']);
    const base = report.comparison!.rows.find((r) => r.method === 'baseline')!;
    expect(base.seeds).toEqual([0, 1]);
    expect(base.stats['top-1']!.mean).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(base.stats['top-1']!.std).toBeCloseTo(Math.sqrt(2 * (1 / 3) ** 2), 12);
    expect(report.notes.some((n) => n.includes('held-out split'))).toBe(true);
    const names = files.map((f) => path.basename(f)).sort();
    expect(names).toEqual(['per-class-accuracy.png', 'recall-at-k.png', 'report.json', 'summary.md', 'training-epochs.png', 'training-steps.png']);
    for (const f of report.figures) {
      const png = PNG.sync.read(fs.readFileSync(path.join(out, f.file)));
      expect([png.width, png.height]).toEqual([f.width, f.height]);
    }
    const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| baseline | 2 |'))!;
    expect(row).toContain(`${(100 * base.stats['top-1']!.mean!).toFixed(1)} ± ${(100 * base.stats['top-1']!.std!).toFixed(1)}`);
  });
});
