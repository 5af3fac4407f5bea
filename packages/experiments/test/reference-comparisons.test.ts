import { bootstrapComparison, type BootstrapComparison, type VideoOutcomes } from '@ccl/eval';
import {
  ABLATION_REFERENCE,
  BENCH_PRESETS,
  compareAblations,
  compareWithBestKd,
  formatAblations,
  formatBenchOutput,
  formatBestKd,
  isAblation,
  KD_BASELINES,
  MAIN_TABLE_METHODS,
  METHOD_PLANS,
} from '../src';

/** Per-video 1/0 outcomes of `method` on 3 seeds x 40 videos, correct where (video + seed + label length) % 10 < `tenths`. */
const outcomesOf = (method: string, tenths: number): VideoOutcomes[] =>
  [1, 2, 3].map((seed) => ({
    method,
    seed,
    videoIds: Array.from({ length: 40 }, (_, i) => `v${i}`),
    values: Array.from({ length: 40 }, (_, i) => ((i * 7 + seed * 3 + method.length) % 10 < tenths ? 1 : 0)),
  }));

/**
 * `result` is the bootstrap run directly with `reference` (an independent computation) on the draws of
 * `vsBaseline`: each method's own interval is the one of the baseline comparison.
 */
function expectSameDrawsAs(vsBaseline: BootstrapComparison, result: BootstrapComparison, outcomes: VideoOutcomes[], reference: string): void {
  expect(result).toEqual(bootstrapComparison(outcomes, { baseline: reference, replicates: 300, seed: 4 }));
  for (const row of result.rows) {
    const same = vsBaseline.rows.find((r) => r.method === row.method)!;
    expect([row.lower, row.upper]).toEqual([same.lower, same.upper]);
  }
}

describe('compareWithBestKd: the CCL variants against the best KD baseline', () => {
  const outcomes = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai', 7), ...outcomesOf('fitnet', 5), ...outcomesOf('rkd', 8), ...outcomesOf('pkt', 7)];
  const vsBaseline = bootstrapComparison(outcomes, { baseline: 'baseline', replicates: 300, seed: 4 });

  it('takes the KD baseline with the highest mean and bootstraps on the same draws (replicates, seed) as the baseline comparison', () => {
    const best = compareWithBestKd(outcomes, vsBaseline)!;
    expect(best.method).toBe('rkd');
    expectSameDrawsAs(vsBaseline, best.comparison, outcomes, 'rkd');
    const ccl = best.comparison.rows.find((r) => r.method === 'ccl-ai')!;
    expect(ccl.vsBaseline!.mean).toBeCloseTo(
      vsBaseline.rows.find((r) => r.method === 'ccl-ai')!.mean - vsBaseline.rows.find((r) => r.method === 'rkd')!.mean,
      10,
    );
    expect(formatBestKd(best)).toMatch(
      /^Against the best KD baseline \(rkd, .*\n {2}ccl-ai: -\d+\.\d \[[-+]\d+\.\d, [-+]\d+\.\d\] points, (worse|no difference shown)$/,
    );
  });

  it('is null without a KD baseline or without a CCL variant', () => {
    const noKd = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai', 7)];
    expect(compareWithBestKd(noKd, bootstrapComparison(noKd, { baseline: 'baseline', replicates: 50 }))).toBeNull();
    const noCcl = [...outcomesOf('baseline', 6), ...outcomesOf('fitnet', 7)];
    expect(compareWithBestKd(noCcl, bootstrapComparison(noCcl, { baseline: 'baseline', replicates: 50 }))).toBeNull();
  });

  it("the KD baselines are the main table's rows besides the baseline and CCL", () => {
    expect(MAIN_TABLE_METHODS.filter((m) => m !== 'baseline' && !m.startsWith('ccl'))).toEqual(KD_BASELINES);
  });
});

describe('compareAblations: each ablation against CCL-AI', () => {
  const outcomes = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai', 5), ...outcomesOf('ccl-ai-no-jsd', 9), ...outcomesOf('ccl-ai-tau1', 2)];
  const vsBaseline = bootstrapComparison(outcomes, { baseline: 'baseline', replicates: 300, seed: 4 });

  it('bootstraps with ccl-ai as the reference on the same draws (replicates, seed) as the baseline comparison', () => {
    const ablations = compareAblations(outcomes, vsBaseline)!;
    expect(ablations.reference).toBe('ccl-ai');
    expectSameDrawsAs(vsBaseline, ablations.comparison, outcomes, 'ccl-ai');
    const noJsd = ablations.comparison.rows.find((r) => r.method === 'ccl-ai-no-jsd')!;
    const meanOf = (m: string) => vsBaseline.rows.find((r) => r.method === m)!.mean;
    expect(noJsd.vsBaseline!.mean).toBeCloseTo(meanOf('ccl-ai-no-jsd') - meanOf('ccl-ai'), 10);
    expect(noJsd.vsBaseline!.verdict).toBe('better');
    expect(ablations.comparison.rows.find((r) => r.method === 'ccl-ai-tau1')!.vsBaseline!.verdict).toBe('worse');
  });

  it('prints a line per ablation (not the baseline, not ccl-ai itself), and the bench output carries it', () => {
    const ablations = compareAblations(outcomes, vsBaseline)!;
    const text = formatAblations(ablations);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(
      /^Each ablation against ccl-ai, .*\n {2}ccl-ai-no-jsd: \+\d+\.\d \[\+\d+\.\d, \+\d+\.\d\] points, better\n {2}ccl-ai-tau1: -\d+\.\d .* points, worse$/,
    );
    const output = formatBenchOutput({ rows: [], comparison: vsBaseline, ablations, benchFile: 'bench.json' });
    expect(output).toContain(text);
    expect(formatBenchOutput({ rows: [], comparison: vsBaseline, ablations: null, benchFile: 'bench.json' })).not.toContain('Each ablation');
  });

  it('is null without CCL-AI or without an ablation of it', () => {
    const noReference = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai-no-jsd', 7)];
    expect(compareAblations(noReference, bootstrapComparison(noReference, { baseline: 'baseline', replicates: 50 }))).toBeNull();
    const noAblation = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai', 7), ...outcomesOf('ccl-i', 7)];
    expect(compareAblations(noAblation, bootstrapComparison(noAblation, { baseline: 'baseline', replicates: 50 }))).toBeNull();
  });

  it('the ablations preset runs the reference and every ablation the method plans know', () => {
    const methods = BENCH_PRESETS['ablations']!.options.methods;
    expect(methods).toContain(ABLATION_REFERENCE);
    expect(methods.filter(isAblation)).toEqual(Object.keys(METHOD_PLANS).filter(isAblation));
    expect(isAblation('ccl-ai')).toBe(false);
    expect(isAblation('ccl-i')).toBe(false);
  });
});
