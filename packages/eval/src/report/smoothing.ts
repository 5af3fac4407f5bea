/**
 * Curve smoothing: exponential moving average with bias correction (as TensorBoard's scalar smoothing),
 *   m_n = w m_{n-1} + (1 - w) v_n,  m_0 = 0,   smoothed_n = m_n / (1 - w^n),
 * over a series' points in order (n counts points). w = 0 returns the values unchanged; w in [0, 1).
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`@ccl/eval: smoothing weight must be in [0, 1), got ${weight}`);
  let m = 0;
  let debias = 1;
  return values.map((v) => {
    m = weight * m + (1 - weight) * v;
    debias *= weight;
    return m / (1 - debias);
  });
}

/**
 * Default weight for a curve of `n` points: none below 20 points, then an effective window (≈ 1 / (1 - w))
 * of about 4% of the points, from 2 to 20 (w from 0.5 to 0.95).
 */
export function defaultSmoothing(n: number): number {
  if (n < 20) return 0;
  const window = Math.min(20, Math.max(2, n / 25));
  return Math.round((1 - 1 / window) * 100) / 100;
}
