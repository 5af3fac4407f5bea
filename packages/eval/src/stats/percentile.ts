/**
 * Percentiles with one documented interpolation rule: Hyndman & Fan type 7 (numpy's and R's default).
 * For sorted values x_0 <= ... <= x_{n-1} and p in [0, 1]:
 *   h = (n - 1) p,   j = floor(h),   Q(p) = x_j + (h - j) (x_{j+1} - x_j)   (Q(1) = x_{n-1}).
 */

/** Type-7 percentile of `values` (any order; not modified) at `p` in [0, 1]. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileOfSorted(sortedCopy(values), p);
}

/** The central `confidence` interval of `values` by type-7 percentiles at (1 - c)/2 and (1 + c)/2. */
export function percentileInterval(values: ArrayLike<number>, confidence: number): { lower: number; upper: number } {
  if (!(confidence > 0 && confidence < 1)) throw new Error(`@ccl/eval: confidence must be in (0, 1), got ${confidence}`);
  const sorted = sortedCopy(values);
  const tail = (1 - confidence) / 2;
  return { lower: percentileOfSorted(sorted, tail), upper: percentileOfSorted(sorted, 1 - tail) };
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  if (values.length === 0) throw new Error('@ccl/eval: percentile of an empty list');
  const sorted = Float64Array.from(values);
  for (const v of sorted) if (Number.isNaN(v)) throw new Error('@ccl/eval: percentile of a list containing NaN');
  return sorted.sort();
}

function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`@ccl/eval: percentile p must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const j = Math.floor(h);
  const lo = sorted[j] as number;
  if (j + 1 >= sorted.length) return lo;
  const hi = sorted[j + 1] as number;
  return h === j ? lo : lo + (h - j) * (hi - lo);
}
