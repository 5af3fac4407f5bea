import {
  bootstrapComparison,
  formatBootstrapSummary,
  formatBootstrapTable,
  percentile,
  percentileInterval,
  type BootstrapComparison,
  type VideoOutcomes,
} from '../src';

const ids = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const run = (method: string, seed: number, values: number[], videoIds = ids(values.length)): VideoOutcomes => ({ method, seed, videoIds, values });

describe('percentile (type 7, numpy default)', () => {
  it('equals hand-computed numpy.percentile values', () => {
    // [1,2,3,4]: h = 3p. p=.25 -> h=.75 -> 1 + .75*(2-1) = 1.75; p=.5 -> 2.5; p=.9 -> h=2.7 -> 3 + .7 = 3.7
    expect(percentile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(percentile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
    // unsorted [40,10,20] -> [10,20,40], h = 2p. p=.025 -> h=.05 -> 10 + .05*10 = 10.5; p=.975 -> h=1.95 -> 20 + .95*20 = 39
    const v = [40, 10, 20];
    expect(percentile(v, 0.025)).toBeCloseTo(10.5, 12);
    expect(percentile(v, 0.975)).toBeCloseTo(39, 12);
    expect(v).toEqual([40, 10, 20]); // input untouched
    expect(percentile([7], 0.3)).toBe(7);
    // 1..11, 90%: p=.05 -> h=.5 -> 1.5; p=.95 -> h=9.5 -> 10.5
    expect(
      percentileInterval(
        Array.from({ length: 11 }, (_, i) => i + 1),
        0.9,
      ),
    ).toEqual({ lower: 1.5, upper: 10.5 });
  });

  it('refuses an empty list, NaN and p or confidence out of range', () => {
    expect(() => percentile([], 0.5)).toThrow(/empty/);
    expect(() => percentile([1, NaN], 0.5)).toThrow(/NaN/);
    expect(() => percentile([1, 2], 1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => percentileInterval([1, 2], 1)).toThrow(/confidence must be in \(0, 1\)/);
  });
});

describe('bootstrapComparison', () => {
  it('when all seeds and videos agree every CI collapses to its point', () => {
    const runs = [1, 2, 3].flatMap((s) => [run('baseline', s, [1, 1, 1, 1]), run('half', s, [0.5, 0.5, 0.5, 0.5]), run('same', s, [1, 1, 1, 1])]);
    const r = bootstrapComparison(runs, { baseline: 'baseline', replicates: 200 });
    const [base, half, same] = r.rows;
    expect(r.levels).toEqual(['seeds', 'videos']);
    expect([base!.mean, base!.lower, base!.upper]).toEqual([100, 100, 100]);
    expect(base!.vsBaseline).toBeNull();
    expect([half!.mean, half!.lower, half!.upper]).toEqual([50, 50, 50]);
    expect(half!.vsBaseline).toEqual({ mean: -50, lower: -50, upper: -50, perSeed: [-50, -50, -50], verdict: 'worse' });
    expect(same!.vsBaseline!.verdict).toBe('no difference shown');
    expect([same!.vsBaseline!.lower, same!.vsBaseline!.upper]).toEqual([0, 0]);
  });

  it('matches the exact bootstrap distribution of a 2-seed x 3-video case, enumerated by brute force', () => {
    // seed 1: A [.1 .5 .9] (mean .5),    B [.2 .5 .6] (mean .4333)
    // seed 2: A [.3 .4 1.] (mean .5667), B [.9 .35 .8] (mean .6833)
    // means over seeds: A 53.333, B 55.833, B - A 2.5 points
    const A = [
      [0.1, 0.5, 0.9],
      [0.3, 0.4, 1.0],
    ];
    const B = [
      [0.2, 0.5, 0.6],
      [0.9, 0.35, 0.8],
    ];
    // Every replicate: 2 seeds drawn with replacement (4 ordered pairs), then 3 videos with replacement in
    // each (27 ordered triples each): 4 * 27 * 27 = 2916 equally likely outcomes.
    const triples: number[][] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) triples.push([a, b, c]);
    const exact: Record<'A' | 'B' | 'diff', number[]> = { A: [], B: [], diff: [] };
    const meanAt = (v: number[], t: number[]) => (v[t[0]!]! + v[t[1]!]! + v[t[2]!]!) / 3;
    for (const s1 of [0, 1])
      for (const s2 of [0, 1])
        for (const t1 of triples)
          for (const t2 of triples) {
            const a = (100 * (meanAt(A[s1]!, t1) + meanAt(A[s2]!, t2))) / 2;
            const b = (100 * (meanAt(B[s1]!, t1) + meanAt(B[s2]!, t2))) / 2;
            exact.A.push(a);
            exact.B.push(b);
            exact.diff.push(b - a);
          }
    expect(exact.A.length).toBe(2916);
    const runs = [1, 2].flatMap((s, k) => [run('A', s, A[k]!), run('B', s, B[k]!)]);
    const r = bootstrapComparison(runs, { baseline: 'A', replicates: 100000, seed: 7, keepReplicates: true });
    expect(r.rows[0]!.mean).toBeCloseTo(160 / 3, 10);
    expect(r.rows[1]!.mean).toBeCloseTo(55.8333333333, 8);
    expect(r.rows[1]!.vsBaseline!.mean).toBeCloseTo(2.5, 10);
    expect(r.rows[0]!.perSeed.map((v) => +v.toFixed(4))).toEqual([50, 56.6667]);
    const mc = { A: r.rows[0]!, B: r.rows[1]!, diff: { ...r.rows[1]!.vsBaseline! } };
    for (const key of ['A', 'B', 'diff'] as const) {
      const ex = percentileInterval(exact[key], 0.95);
      // Monte-Carlo quantile within the exact distribution's quantiles at p +- 0.005 (10 standard errors at 100,000 replicates)
      expect(mc[key].lower).toBeGreaterThanOrEqual(percentile(exact[key], 0.02));
      expect(mc[key].lower).toBeLessThanOrEqual(percentile(exact[key], 0.03));
      expect(mc[key].upper).toBeGreaterThanOrEqual(percentile(exact[key], 0.97));
      expect(mc[key].upper).toBeLessThanOrEqual(percentile(exact[key], 0.98));
      // and within one step of the exact distribution's grid (every value is a multiple of 100 * 0.05 / 6 points)
      expect(Math.abs(mc[key].lower - ex.lower)).toBeLessThanOrEqual((100 * 0.05) / 6 + 1e-9);
      expect(Math.abs(mc[key].upper - ex.upper)).toBeLessThanOrEqual((100 * 0.05) / 6 + 1e-9);
    }
    // the whole Monte-Carlo distribution matches the exact one (Kolmogorov-Smirnov distance below 1%; the
    // 99.9% critical value at 100,000 replicates is 0.6%), and the paired differences are B - A of the same replicate
    const cdfAt = (v: number[], x: number) => v.filter((y) => y <= x + 1e-9).length / v.length;
    const reps = r.replicateValues!;
    const mcDiff = reps.B!.map((b, i) => b - reps.A![i]!);
    for (const [key, mcValues] of [
      ['A', reps.A!],
      ['B', reps.B!],
      ['diff', mcDiff],
    ] as const) {
      const grid = [...new Set(exact[key].map((v) => +v.toFixed(6)))];
      const ks = Math.max(...grid.map((x) => Math.abs(cdfAt(exact[key], x) - cdfAt(mcValues, x))));
      expect(ks).toBeLessThan(0.01);
    }
    // the replicates' spread matches the exact distribution's
    const sd = (v: number[]) => {
      const m = v.reduce((x, y) => x + y, 0) / v.length;
      return Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / v.length);
    };
    expect(sd(r.replicateValues!.B!) / sd(exact.B)).toBeCloseTo(1, 1);
  });

  it('the difference is paired: a constant shift on every video gives a CI collapsed to the shift; unpaired would not', () => {
    const pattern = (s: number) => Array.from({ length: 20 }, (_, i) => ((i * 7 + s * 3) % 10) / 10);
    const runs = [1, 2, 3].flatMap((s) => [
      run('baseline', s, pattern(s)),
      run(
        'shifted',
        s,
        pattern(s).map((v) => v + 0.2),
      ),
    ]);
    const r = bootstrapComparison(runs, { baseline: 'baseline', replicates: 1000, keepReplicates: true });
    const d = r.rows[1]!.vsBaseline!;
    expect(d.mean).toBeCloseTo(20, 9);
    expect(d.lower).toBeCloseTo(20, 9);
    expect(d.upper).toBeCloseTo(20, 9);
    expect(d.verdict).toBe('better');
    expect(r.rows[0]!.upper - r.rows[0]!.lower).toBeGreaterThan(10); // each method alone does vary
    // unpaired: each method resampled on its own draws (two independent bootstraps)
    const other = bootstrapComparison(runs, { baseline: 'baseline', replicates: 1000, seed: 2, keepReplicates: true });
    const unpaired = percentileInterval(
      other.replicateValues!.shifted!.map((v, i) => v - r.replicateValues!.baseline![i]!),
      0.95,
    );
    expect(unpaired.upper - unpaired.lower).toBeGreaterThan(10);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const runs = [1, 2, 3].flatMap((s) => [run('baseline', s, [1, 0, 1, 0, 1]), run('ccl', s, [1, 1, 0, 1, s % 2])]);
    const a = bootstrapComparison(runs, { baseline: 'baseline', replicates: 300, seed: 5 });
    const b = bootstrapComparison(runs, { baseline: 'baseline', replicates: 300, seed: 5 });
    const c = bootstrapComparison(runs, { baseline: 'baseline', replicates: 300, seed: 6 });
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect([c.rows[1]!.vsBaseline!.lower, c.rows[1]!.vsBaseline!.upper]).not.toEqual([a.rows[1]!.vsBaseline!.lower, a.rows[1]!.vsBaseline!.upper]);
    expect(a.bootstrapSeed).toBe(5);
  });

  it('pairs videos by id within a seed, whatever order each method lists them in', () => {
    const inOrder = [run('baseline', 1, [1, 0, 0, 1], ['a', 'b', 'c', 'd']), run('m', 1, [1, 1, 0, 1], ['a', 'b', 'c', 'd'])];
    const shuffled = [inOrder[0]!, run('m', 1, [1, 1, 1, 0], ['d', 'a', 'b', 'c'])];
    const opts = { baseline: 'baseline', replicates: 500 };
    expect(bootstrapComparison(shuffled, opts)).toEqual(bootstrapComparison(inOrder, opts));
  });

  it('with one seed resamples videos only and says so', () => {
    const r = bootstrapComparison([run('baseline', 4, [1, 0, 1, 0]), run('m', 4, [1, 1, 1, 0])], { baseline: 'baseline', replicates: 500 });
    expect(r.levels).toEqual(['videos']);
    expect(r.seeds).toEqual([4]);
    expect(r.rows[0]!.upper).toBeGreaterThan(r.rows[0]!.lower);
    expect(formatBootstrapSummary(r)).toMatch(/single seed/);
  });

  it('refuses unpaired or broken inputs with an error naming the method and seed', () => {
    const opts = { baseline: 'baseline', replicates: 10 };
    expect(() => bootstrapComparison([run('baseline', 1, [1, 0]), run('m', 1, [1, 0], ['v0', 'x'])], opts)).toThrow(
      "@ccl/eval: seed 1: method 'm' and 'baseline' were scored on different test videos ('v1' is not among the videos of 'm'",
    );
    expect(() => bootstrapComparison([run('baseline', 1, [1, 0]), run('m', 1, [1, 0, 1])], opts)).toThrow(
      /seed 1: method 'm' and 'baseline' were scored on different test videos \(3 vs 2/,
    );
    expect(() => bootstrapComparison([run('baseline', 1, [1]), run('m', 1, [1]), run('baseline', 2, [1])], opts)).toThrow(
      "method 'm' has no outcomes for seed 2",
    );
    expect(() => bootstrapComparison([run('baseline', 1, [1]), run('baseline', 1, [0])], opts)).toThrow("method 'baseline' has outcomes for seed 1 twice");
    expect(() => bootstrapComparison([run('m', 1, [1])], opts)).toThrow("baseline 'baseline' is not among the methods (m)");
    expect(() => bootstrapComparison([run('baseline', 1, [1, NaN])], opts)).toThrow("method 'baseline', seed 1: value of video 'v1' is NaN");
    expect(() => bootstrapComparison([run('baseline', 1, [1, 0], ['v0'])], opts)).toThrow("method 'baseline', seed 1: 2 values for 1 videos");
    expect(() => bootstrapComparison([run('baseline', 1, [1, 0], ['v0', 'v0'])], opts)).toThrow("video 'v0' appears twice");
    expect(() => bootstrapComparison([run('baseline', 1, [])], opts)).toThrow('no test videos');
    expect(() => bootstrapComparison([], opts)).toThrow('no outcomes');
    expect(() => bootstrapComparison([run('baseline', 1, [1])], { ...opts, replicates: 0 })).toThrow(/replicates must be a positive integer/);
  });
});

describe('formatting', () => {
  const row = (method: string, mean: number, lower: number, upper: number, diff: [number, number, number] | null): BootstrapComparison['rows'][number] => ({
    method,
    mean,
    lower,
    upper,
    perSeed: [mean],
    vsBaseline: diff && {
      mean: diff[0],
      lower: diff[1],
      upper: diff[2],
      perSeed: [diff[0]],
      verdict: diff[1] > 0 ? 'better' : diff[2] < 0 ? 'worse' : 'no difference shown',
    },
  });
  const result = (rows: BootstrapComparison['rows']): BootstrapComparison => ({
    schema: 'ccl.bootstrap/1',
    baseline: 'baseline',
    seeds: [1, 2, 3, 4, 5],
    videosPerSeed: [400, 400, 400, 400, 400],
    levels: ['seeds', 'videos'],
    replicates: 2000,
    confidence: 0.95,
    bootstrapSeed: 1,
    scale: 100,
    interval: 'percentile, type 7 (linear interpolation, numpy default)',
    rows,
  });

  it('renders the table and says in words which method beats the baseline', () => {
    const r = result([
      row('baseline', 52.34, 49.1, 55.62, null),
      row('CCL-AI', 56.44, 53.0, 59.8, [4.1, 1.2, 7.0]),
      row('FitNet', 50.3, 47.0, 53.5, [-2.04, -3.5, -0.4]),
      row('PKT', 52.8, 49.5, 56.0, [0.46, -1.0, 2.0]),
    ]);
    expect(formatBootstrapTable(r)).toBe(
      [
        '| method | top-1 mean [95% CI] | Δ vs baseline [95% CI] | verdict |',
        '|---|---|---|---|',
        '| baseline | 52.3 [49.1, 55.6] | — | baseline |',
        '| CCL-AI | 56.4 [53.0, 59.8] | +4.1 [+1.2, +7.0] | better |',
        '| FitNet | 50.3 [47.0, 53.5] | -2.0 [-3.5, -0.4] | worse |',
        '| PKT | 52.8 [49.5, 56.0] | +0.5 [-1.0, +2.0] | no difference shown |',
      ].join('\n'),
    );
    const s = formatBootstrapSummary(r);
    expect(s).toContain('CCL-AI beats the baseline by 4.1 points (95% CI 1.2 to 7.0).');
    expect(s).toContain('FitNet is below the baseline by 2.0 points (95% CI -3.5 to -0.4).');
    expect(s).toContain('No difference from the baseline is shown for PKT (+0.5, 95% CI -1.0 to 2.0): its interval contains 0.');
    expect(s).toContain('Paired bootstrap over 5 seeds and 400 test videos per seed (2000 replicates)');
    expect(s).not.toContain('\n');
  });

  it('never prints a bound that decides the verdict as 0: one that rounds to 0 gets the digits that show its sign', () => {
    // full-small's CRD: upper bound -0.05 (worse), which one decimal printed as 0.0 beside "worse".
    const r = result([
      row('baseline', 66.3, 63.5, 68.8, null),
      row('CRD', 62.7, 57.9, 67.6, [-3.6, -7.55, -0.0499]),
      row('PKT', 63.3, 56, 69.4, [-3.0, -8.9, 0]),
    ]);
    expect(formatBootstrapTable(r)).toContain('| CRD | 62.7 [57.9, 67.6] | -3.6 [-7.5, -0.05] | worse |');
    expect(formatBootstrapTable(r)).toContain('| PKT | 63.3 [56.0, 69.4] | -3.0 [-8.9, 0.0] | no difference shown |');
    expect(formatBootstrapSummary(r)).toContain('CRD is below the baseline by 3.6 points (95% CI -7.5 to -0.05).');
    const tiny = result([row('baseline', 50, 45, 55, null), row('X', 51, 46, 56, [1, 0.0004, 2])]);
    expect(formatBootstrapTable(tiny)).toContain('| X | 51.0 [46.0, 56.0] | +1.0 [+0.0004, +2.0] | better |');
  });

  it('says no method is shown to beat the baseline when none does', () => {
    const s = formatBootstrapSummary(result([row('baseline', 50, 45, 55, null), row('CCL-AI', 51, 46, 56, [1, -0.5, 2.5])]));
    expect(s).toMatch(/^No method is shown to beat the baseline\./);
  });
});
