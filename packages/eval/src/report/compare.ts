/**
 * Method comparison across runs: for each method and metric, mean ± sample standard deviation over seeds,
 *   mean = (1/n) Σ v_i,   std = sqrt( Σ (v_i - mean)² / (n - 1) )   (std = 0 when n = 1).
 */

/** One finished run: its method, seed and scalar metrics (fractions for accuracies). */
export interface RunMetrics {
  method: string;
  /** The run's label in the report (e.g. "ccl s1"), when it has one. */
  run?: string;
  seed: number | string;
  metrics: Readonly<Record<string, number | null>>;
}

/** Mean ± std of one metric over a method's runs (null values are skipped; n counts the rest). */
export interface MetricStats {
  mean: number | null;
  std: number | null;
  n: number;
}

/** Result of {@link compareRuns}. */
export interface RunComparison {
  schema: 'ccl.comparison/1';
  metrics: string[];
  rows: { method: string; seeds: (number | string)[]; stats: Record<string, MetricStats> }[];
}

/** Mean and sample std of `values`. */
export function meanStd(values: readonly number[]): MetricStats {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, std, n };
}

/**
 * Groups runs by method (methods in first-appearance order; metrics = union of the runs' metric names in
 * first-appearance order unless `metrics` is given) and summarises each metric. Duplicate (method, seed)
 * pairs are an error.
 */
export function compareRuns(runs: readonly RunMetrics[], metrics?: readonly string[]): RunComparison {
  const names = metrics ? [...metrics] : [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
  const methods = [...new Set(runs.map((r) => r.method))];
  const seen = new Set<string>();
  for (const r of runs) {
    const key = `${r.method}\u0000${r.seed}`;
    if (seen.has(key)) throw new Error(`@ccl/eval: run of method '${r.method}' with seed ${r.seed} appears twice`);
    seen.add(key);
  }
  return {
    schema: 'ccl.comparison/1',
    metrics: names,
    rows: methods.map((method) => {
      const mine = runs.filter((r) => r.method === method);
      const stats: Record<string, MetricStats> = {};
      for (const m of names)
        stats[m] = meanStd(
          mine.flatMap((r) => {
            const v = r.metrics[m];
            return v === null || v === undefined ? [] : [v];
          }),
        );
      return { method, seeds: mine.map((r) => r.seed), stats };
    }),
  };
}
