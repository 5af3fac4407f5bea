/** Items per second since `t0` (ms), two decimals, for progress lines. */
export function rate(done: number, t0: number): string {
  return (done / Math.max(1e-3, (Date.now() - t0) / 1000)).toFixed(2);
}
