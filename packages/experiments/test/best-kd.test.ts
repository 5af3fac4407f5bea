import { bootstrapComparison, type VideoOutcomes } from '@ccl/eval';
import { compareWithBestKd, formatBestKd, KD_BASELINES, MAIN_TABLE_METHODS } from '../src';

/** Per-video 1/0 outcomes of `method` on 3 seeds x 40 videos, correct where (video + seed) % 10 < `tenths`. */
const outcomesOf = (method: string, tenths: number): VideoOutcomes[] =>
  [1, 2, 3].map((seed) => ({
    method,
    seed,
    videoIds: Array.from({ length: 40 }, (_, i) => `v${i}`),
    values: Array.from({ length: 40 }, (_, i) => ((i * 7 + seed * 3 + method.length) % 10 < tenths ? 1 : 0)),
  }));

describe('compareWithBestKd: the CCL variants against the best KD baseline', () => {
  const outcomes = [...outcomesOf('baseline', 6), ...outcomesOf('ccl-ai', 7), ...outcomesOf('fitnet', 5), ...outcomesOf('rkd', 8), ...outcomesOf('pkt', 7)];
  const vsBaseline = bootstrapComparison(outcomes, { baseline: 'baseline', replicates: 300, seed: 4 });

  it('takes the KD baseline with the highest mean and bootstraps on the same draws (replicates, seed) as the baseline comparison', () => {
    const best = compareWithBestKd(outcomes, vsBaseline)!;
    expect(best.method).toBe('rkd');
    // an independent computation: the bootstrap run directly with rkd as the reference
    expect(best.comparison).toEqual(bootstrapComparison(outcomes, { baseline: 'rkd', replicates: 300, seed: 4 }));
    // the same draws: each method's own interval is the one of the baseline comparison
    for (const row of best.comparison.rows) {
      const same = vsBaseline.rows.find((r) => r.method === row.method)!;
      expect([row.lower, row.upper]).toEqual([same.lower, same.upper]);
    }
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
