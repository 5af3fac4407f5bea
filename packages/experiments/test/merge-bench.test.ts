import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng } from '@ccl/base';
import { BENCH_FILE_SCHEMA, compareBenchOutcomes, mergeBenchFiles, mergeBenchFileSet, type BenchFile, type BenchFilePart, type ExperimentRow } from '../src';

const METHODS = ['baseline', 'ccl-ai', 'fitnet', 'crd'];
const SEEDS = [1, 2, 3, 4];
const VIDEOS = 30;
const OPTIONS = { epochs: 360, classes: 10, regime: { trainVideosPerClass: 8 }, bootstrap: { replicates: 400, seed: 1 } };
const PROBES = { image: { top1: 0.61, train: 60, test: 400 }, audio: { top1: 0.74, train: 60, test: 380 } };

/** Made-up per-video outcomes of every run: each method with its own accuracy, each seed its own student digest. */
function allRuns(): { rows: ExperimentRow[]; outcomes: BenchFile['outcomes'] } {
  const rng = createRng(7);
  const rows: ExperimentRow[] = [];
  const outcomes: BenchFile['outcomes'] = [];
  for (const seed of SEEDS)
    METHODS.forEach((method, m) => {
      const values: number[] = Array.from({ length: VIDEOS }, () => (rng.next() < 0.5 + 0.1 * m ? 1 : 0));
      outcomes.push({ method, seed, videoIds: Array.from({ length: VIDEOS }, (_, i) => `v${i}`), values });
      const top1 = values.reduce((a, b) => a + b, 0) / VIDEOS;
      rows.push({
        label: method,
        seed,
        top1,
        top5: 1,
        recall: { '1': top1 },
        mAP: null,
        correlated: null,
        weak: null,
        notCorrelated: null,
        probeTop1: null,
        studentInitDigest: `init-${seed}`,
        finalTrainCe: 0.1,
        atChance: false,
        diverged: null,
      });
    });
  return { rows, outcomes };
}

/** A bench.json of the runs of `seeds` x `methods`, as one invocation writes it. */
function benchOf(seeds: number[], methods: string[], change: (b: BenchFile) => void = () => undefined): BenchFile {
  const all = allRuns();
  const keep = all.rows.map((r, i) => i).filter((i) => seeds.includes(all.rows[i]!.seed) && methods.includes(all.rows[i]!.label));
  const outcomes = keep.map((i) => all.outcomes[i]!);
  const bench: BenchFile = {
    schema: BENCH_FILE_SCHEMA,
    metric: 'video top-1',
    design: 'paired',
    options: { ...structuredClone(OPTIONS), dataSeed: 1, seeds, methods, workDir: `/work/part-${seeds.join('-')}` },
    seeds,
    methods,
    backend: 'wasm',
    gitRevision: 'abc',
    teacherProbes: structuredClone(PROBES) as unknown as BenchFile['teacherProbes'],
    ...compareBenchOutcomes(outcomes, methods, OPTIONS.bootstrap),
    runs: keep.map((i) => all.rows[i]!),
    outcomes,
  };
  change(bench);
  return bench;
}

const part = (file: string, bench: BenchFile): BenchFilePart => ({ file, bench });

describe('mergeBenchFiles: parts of one bench, merged', () => {
  it('gives the comparisons, rows and outcomes of one invocation that ran every run (the same bootstrap draws)', () => {
    const whole = benchOf(SEEDS, METHODS);
    const merged = mergeBenchFiles([
      part('b.json', benchOf([3, 4], ['baseline', 'ccl-ai'])),
      part('a.json', benchOf([1, 2], METHODS)),
      part('c.json', benchOf([3, 4], ['baseline', 'fitnet', 'crd'])), // baseline seeds 3-4 again, the same results
    ]);
    expect(merged.seeds).toEqual(SEEDS);
    expect(merged.methods).toEqual(METHODS);
    expect({ runs: merged.runs, outcomes: merged.outcomes, comparison: merged.comparison }).toEqual({
      runs: whole.runs,
      outcomes: whole.outcomes,
      comparison: whole.comparison,
    });
    expect(merged.bestKd!.method).toBe(whole.bestKd!.method);
    expect(merged.bestKd!.comparison.rows.find((r) => r.method === 'ccl-ai')).toEqual(whole.bestKd!.comparison.rows.find((r) => r.method === 'ccl-ai'));
    expect(merged.parts!.map((p) => [p.file, p.seeds])).toEqual([
      ['b.json', [3, 4]],
      ['a.json', [1, 2]],
      ['c.json', [3, 4]],
    ]);
    expect(merged.gitRevision).toBe('abc');
  });

  it('with the parts in the bench order, is exactly the one invocation (order of rows and comparison rows too); a merged file merges again', () => {
    const whole = benchOf(SEEDS, METHODS);
    const a = mergeBenchFiles([part('a.json', benchOf([1, 2], METHODS)), part('b.json', benchOf([3], METHODS))]);
    const merged = mergeBenchFiles([part('ab.json', a), part('d.json', benchOf([4], METHODS))]);
    expect({ runs: merged.runs, outcomes: merged.outcomes, comparison: merged.comparison, bestKd: merged.bestKd }).toEqual({
      runs: whole.runs,
      outcomes: whole.outcomes,
      comparison: whole.comparison,
      bestKd: whole.bestKd,
    });
    expect(merged.parts!.map((p) => p.file)).toEqual(['a.json', 'b.json', 'd.json']);
  });

  it('keeps the revision only when every part ran the same one (each part keeps its own)', () => {
    const merged = mergeBenchFiles([
      part('a.json', benchOf([1, 2], METHODS)),
      part(
        'b.json',
        benchOf([3], METHODS, (b) => (b.gitRevision = 'def')),
      ),
    ]);
    expect(merged.gitRevision).toBeNull();
    expect(merged.parts!.map((p) => p.gitRevision)).toEqual(['abc', 'def']);
  });

  it.each<[string, (b: BenchFile) => void, RegExp]>([
    ['another schema', (b) => ((b as { schema: string }).schema = 'ccl.report/1'), /^b\.json: not a bench\.json of ccl bench synthetic/],
    ['other options', (b) => ((b.options as { epochs: number }).epochs = 150), /^b\.json: not the same bench as a\.json: options differ in epochs$/],
    [
      'a nested option',
      (b) => ((b.options.regime as { trainVideosPerClass: number }).trainVideosPerClass = 20),
      /options differ in regime\.trainVideosPerClass/,
    ],
    ['another backend', (b) => (b.backend = 'cpu'), /^b\.json: ran on backend cpu, a\.json on wasm/],
    [
      'other teachers',
      (b) => ((b.teacherProbes!.image as { top1: number }).top1 = 0.5),
      /^b\.json: its teachers' probes differ from a\.json's \(image\.top1\)/,
    ],
    [
      'another student for a seed',
      (b) => b.runs.forEach((r) => r.seed === 3 && r.label === 'fitnet' && (r.studentInitDigest = 'x')),
      /seed 3: the methods did not start from the same student/,
    ],
  ])('refuses parts of different benches: %s', (_, change, message) => {
    expect(() => mergeBenchFiles([part('a.json', benchOf([1, 2], METHODS)), part('b.json', benchOf([3], METHODS, change))])).toThrow(message);
  });

  it('reads a part written before dataSeed existed as using its first seed for the shared stages', () => {
    const old = (seeds: number[]) => benchOf(seeds, METHODS, (b) => delete b.options.dataSeed);
    const merged = mergeBenchFiles([
      part('a.json', old([2, 1])),
      part(
        'b.json',
        benchOf([3], METHODS, (b) => (b.options.dataSeed = 2)),
      ),
    ]);
    expect([merged.seeds, merged.options.dataSeed]).toEqual([[1, 2, 3], 2]); // the merged file says which seed made the data
    expect(() => mergeBenchFiles([part('a.json', benchOf([1, 2], METHODS)), part('b.json', old([3]))])).toThrow(
      /^b\.json: not the same bench as a\.json: options differ in dataSeed$/,
    );
  });

  it('refuses a run found twice with different results, and a seed missing a method', () => {
    const flipped = benchOf([2], ['baseline'], (b) => (b.outcomes[0]!.values = Array.from(b.outcomes[0]!.values, (v, i) => (i === 0 ? 1 - v : v))));
    expect(() => mergeBenchFiles([part('a.json', benchOf([1, 2], METHODS)), part('b.json', flipped)])).toThrow(
      /^b\.json: baseline seed 2 is also in a\.json with other results; keep one of them$/,
    );
    expect(() => mergeBenchFiles([part('a.json', benchOf([1, 2], METHODS)), part('b.json', benchOf([3], ['baseline', 'fitnet']))])).toThrow(
      /^merge: no part has ccl-ai seed 3, crd seed 3; a paired comparison needs every method for every seed/,
    );
  });

  it('from files: one line naming a file that is missing or not JSON; the merge written atomically with --out', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-merge-'));
    try {
      const [a, b, bad, out] = ['a.json', 'b.json', 'bad.json', 'merged.json'].map((f) => path.join(dir, f));
      fs.writeFileSync(a!, JSON.stringify(benchOf([1, 2], METHODS)));
      fs.writeFileSync(b!, JSON.stringify(benchOf([3, 4], METHODS)));
      fs.writeFileSync(bad!, '{"schema": ');
      expect(() => mergeBenchFileSet([a!, path.join(dir, 'none.json')])).toThrow(new RegExp(`^${path.join(dir, 'none.json')}: cannot read it \\(ENOENT\\)$`));
      expect(() => mergeBenchFileSet([a!, bad!], out)).toThrow(new RegExp(`^${bad}: not JSON`));
      expect(fs.existsSync(out!)).toBe(false);
      const merged = mergeBenchFileSet([a!, b!], out);
      expect(JSON.parse(fs.readFileSync(out!, 'utf8'))).toEqual(JSON.parse(JSON.stringify(merged)));
      expect(merged.comparison).toEqual(benchOf(SEEDS, METHODS).comparison);
      expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'b.json', 'bad.json', 'merged.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
