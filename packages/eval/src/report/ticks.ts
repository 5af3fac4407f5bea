/** Axis ticks of the SVG figures: "nice" 1-2-5 steps and labels with as many decimals as the step needs. */

/**
 * "Nice" tick values covering [min, max]: step = {1, 2, 5} x 10^k giving at most `maxTicks` ticks
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 */
export function niceTicks(min: number, max: number, maxTicks = 6): { ticks: number[]; step: number } {
  if (!(Number.isFinite(min) && Number.isFinite(max))) throw new Error(`@ccl/eval: axis range [${min}, ${max}] is not finite`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    min -= 0.5;
    max += 0.5;
  }
  const raw = (max - min) / Math.max(maxTicks - 1, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { ticks, step };
}

/** Tick label with as many decimals as the step needs. */
export function formatTick(v: number, step: number): string {
  const dec = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(dec);
}
