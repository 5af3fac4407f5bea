/**
 * Seeded two-level (seeds, then test videos) percentile bootstrap of a per-video mean metric, with paired
 * differences against a baseline.
 *
 * Point estimates: per seed s with n_s videos, m_s = scale * (1/n_s) Σ_i v_s,i; the method's mean is
 * (1/S) Σ_s m_s, the paired difference's mean is the same for d_s,i = v_s,i(method) - v_s,i(baseline).
 * One replicate: draw S seeds with replacement, then within each drawn seed draw n_s video indices with
 * replacement, and take the same formula over the draws. The drawn indices are shared by every method,
 * so the difference replicates are paired. The CI is the type-7 percentile interval of the replicates.
 * With one seed only the videos are resampled (`levels: ['videos']`).
 */
import { createRng } from '@ccl/base';
import { pairOutcomes, type VideoOutcomes } from './paired-outcomes';
import { percentileInterval } from './percentile';

/** 'better' when the difference's CI lies above 0, 'worse' when below, else 'no difference shown'. */
export type Verdict = 'better' | 'worse' | 'no difference shown';

/** Options of {@link bootstrapComparison}. */
export interface BootstrapOptions {
  /** Method the others are compared with (required; must be among the outcomes). */
  baseline: string;
  /** Bootstrap replicates (default 2000). */
  replicates?: number;
  /** Interval coverage (default 0.95). */
  confidence?: number;
  /** Seed of the resampling generator (default 1; @ccl/base's createRng). */
  seed?: number;
  /** Factor applied to the per-video values (default 100: fractions correct become percentage points). */
  scale?: number;
  /** Keep every replicate's metric per method in the result (default false). */
  keepReplicates?: boolean;
}

/** An estimate with its percentile interval. */
export interface BootstrapInterval {
  mean: number;
  lower: number;
  upper: number;
}

/** One method's row of {@link BootstrapComparison}. */
export interface BootstrapRow extends BootstrapInterval {
  method: string;
  /** Metric of each seed, in `seeds` order. */
  perSeed: number[];
  /** Paired difference method − baseline; null on the baseline's own row. */
  vsBaseline: (BootstrapInterval & { perSeed: number[]; verdict: Verdict }) | null;
}

/** Result of {@link bootstrapComparison} (every number in the unit of `scale`, percentage points by default). */
export interface BootstrapComparison {
  schema: 'ccl.bootstrap/1';
  baseline: string;
  seeds: (number | string)[];
  videosPerSeed: number[];
  /** What a replicate resamples: ['seeds', 'videos'], or ['videos'] with a single seed. */
  levels: ('seeds' | 'videos')[];
  replicates: number;
  confidence: number;
  bootstrapSeed: number;
  scale: number;
  interval: 'percentile, type 7 (linear interpolation, numpy default)';
  rows: BootstrapRow[];
  /** Per method, every replicate's metric (only with `keepReplicates`). */
  replicateValues?: Record<string, number[]>;
}

/**
 * Bootstraps the mean metric of every method in `runs` (one {@link VideoOutcomes} per method and seed,
 * paired: see `pairOutcomes`) and its paired difference against `options.baseline`.
 */
export function bootstrapComparison(runs: readonly VideoOutcomes[], options: BootstrapOptions): BootstrapComparison {
  const replicates = options.replicates ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const bootstrapSeed = options.seed ?? 1;
  const scale = options.scale ?? 100;
  if (!Number.isInteger(replicates) || replicates < 1) throw new Error(`@ccl/eval: bootstrap replicates must be a positive integer, got ${replicates}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`@ccl/eval: confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isFinite(scale) || scale === 0) throw new Error(`@ccl/eval: scale must be a finite non-zero number, got ${scale}`);
  const paired = pairOutcomes(runs);
  const base = paired.methods.indexOf(options.baseline);
  if (base < 0) throw new Error(`@ccl/eval: baseline '${options.baseline}' is not among the methods (${paired.methods.join(', ')})`);

  const M = paired.methods.length;
  const S = paired.seeds.length;
  // perSeed[m][s] = scale * mean over seed s's videos of method m's values
  const perSeed = paired.methods.map((_, m) => paired.values.map((seedValues) => scale * meanOf(seedValues[m] as Float64Array)));
  const reps = paired.methods.map(() => new Float64Array(replicates)); // [M][R]
  const rng = createRng(bootstrapSeed);
  const sums = new Float64Array(M);
  const total = new Float64Array(M);
  for (let r = 0; r < replicates; r++) {
    total.fill(0);
    for (let k = 0; k < S; k++) {
      const s = S === 1 ? 0 : rng.int(0, S - 1);
      const seedValues = paired.values[s] as Float64Array[]; // [M][n_s]
      const n = (seedValues[0] as Float64Array).length;
      sums.fill(0);
      for (let j = 0; j < n; j++) {
        const i = rng.int(0, n - 1);
        for (let m = 0; m < M; m++) sums[m]! += (seedValues[m] as Float64Array)[i] as number;
      }
      for (let m = 0; m < M; m++) total[m]! += scale * (sums[m]! / n); // computed as perSeed is
    }
    for (let m = 0; m < M; m++) (reps[m] as Float64Array)[r] = total[m]! / S;
  }

  const baseReps = reps[base] as Float64Array;
  const basePerSeed = perSeed[base] as number[];
  const rows: BootstrapRow[] = paired.methods.map((method, m) => {
    const own = reps[m] as Float64Array;
    const seedMetric = perSeed[m] as number[];
    const row: BootstrapRow = { method, mean: meanOf(seedMetric), ...percentileInterval(own, confidence), perSeed: seedMetric, vsBaseline: null };
    if (m !== base) {
      const diffPerSeed = seedMetric.map((v, s) => v - (basePerSeed[s] as number));
      const diffReps = own.map((v, r) => v - (baseReps[r] as number));
      const ci = percentileInterval(diffReps, confidence);
      row.vsBaseline = { mean: meanOf(diffPerSeed), ...ci, perSeed: diffPerSeed, verdict: verdictOf(ci) };
    }
    return row;
  });
  const result: BootstrapComparison = {
    schema: 'ccl.bootstrap/1',
    baseline: options.baseline,
    seeds: paired.seeds,
    videosPerSeed: paired.videoIds.map((ids) => ids.length),
    levels: S === 1 ? ['videos'] : ['seeds', 'videos'],
    replicates,
    confidence,
    bootstrapSeed,
    scale,
    interval: 'percentile, type 7 (linear interpolation, numpy default)',
    rows,
  };
  if (options.keepReplicates) result.replicateValues = Object.fromEntries(paired.methods.map((method, m) => [method, Array.from(reps[m] as Float64Array)]));
  return result;
}

/** The verdict of a difference interval: better above 0, worse below 0, otherwise no difference shown. */
export function verdictOf(ci: { lower: number; upper: number }): Verdict {
  if (ci.lower > 0) return 'better';
  if (ci.upper < 0) return 'worse';
  return 'no difference shown';
}

function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
