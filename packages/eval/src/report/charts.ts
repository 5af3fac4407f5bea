/**
 * Line charts (R@K curves, training curves) and horizontal grouped bar charts (per-class accuracy)
 * drawn on a {@link Bitmap}. Every text is drawn at scale 2 (10x14 px glyphs), titles at scale 3.
 */
import { Bitmap, PALETTE, type Rgb, lineHeight, textHeight, textWidth } from './bitmap';

const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const AXIS: Rgb = [60, 60, 60];
const S = 2; // text scale
const TITLE_S = 3;

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

/** One series of a line chart; NaN or null y values break the line. */
export interface LineSeries {
  name: string;
  /** Line colour (default: the palette's colour of the series' index). */
  colour?: Rgb;
  x: readonly number[];
  y: readonly (number | null)[];
}

/** Spec of {@link lineChart}. */
export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  /** Fixed y range; default: the data range padded by 5%. */
  yRange?: readonly [number, number];
  /** Explicit x tick positions (e.g. K = 1, 5, 10, 20); default nice ticks. */
  xTicks?: readonly number[];
  /** Draw a marker at every point (default true when a series has <= 50 points). */
  markers?: boolean;
  /**
   * Corner of the legend inside the plot. Default 'auto': whichever of top-right / bottom-right covers
   * fewer data points (ties: top-right).
   */
  legend?: 'top-right' | 'bottom-right' | 'auto';
}

/** Legend box size for `names`. */
function legendSize(entries: readonly { name: string }[]): { w: number; h: number } {
  const names = entries.map((e) => e.name);
  return { w: Math.max(0, ...names.map((n) => textWidth(n, S))) + 40, h: names.length * lineHeight(S) + 10 };
}

function drawLegend(bmp: Bitmap, entries: readonly { name: string; colour: Rgb }[], right: number, top: number, bottom: number | null): void {
  if (entries.length === 0) return;
  const { w, h } = legendSize(entries);
  const x = right - w - 8;
  if (bottom !== null) top = bottom - h - 16;
  bmp.fillRect(x, top + 8, w, h, [255, 255, 255]);
  bmp.strokeRect(x, top + 8, w, h, AXIS);
  entries.forEach((e, i) => {
    const y = top + 14 + i * lineHeight(S);
    bmp.fillRect(x + 6, y + 4, 20, 5, e.colour);
    bmp.text(x + 32, y, e.name, BLACK, S);
  });
}

/** Renders a line chart; returns the bitmap (call `.toPng()` for bytes). */
export function lineChart(spec: LineChartSpec): Bitmap {
  const W = spec.width ?? 900;
  const H = spec.height ?? 560;
  const pts = spec.series.flatMap((s) => {
    if (s.x.length !== s.y.length) throw new Error(`@ccl/eval: line series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
    return s.x
      .map((x, i) => [x, s.y[i]] as const)
      .filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]) && Number.isFinite(p[0]));
  });
  const xs = [...pts.map((p) => p[0]), ...(spec.xTicks ?? [])];
  let [xmin, xmax] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [ymin, ymax] = spec.yRange ?? (pts.length ? [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))] : [0, 1]);
  if (!spec.yRange) {
    const pad = (ymax - ymin) * 0.05 || 0.5;
    ymin -= pad;
    ymax += pad;
  }
  if (xmax === xmin) {
    xmin -= 0.5;
    xmax += 0.5;
  }
  const yt = niceTicks(ymin, ymax, 7);
  if (!spec.yRange) {
    ymin = Math.min(ymin, yt.ticks[0]!);
    ymax = Math.max(ymax, yt.ticks[yt.ticks.length - 1]!);
  }
  const xt = spec.xTicks ? { ticks: [...spec.xTicks], step: 1 } : niceTicks(xmin, xmax, 8);
  const yLabels = yt.ticks.map((v) => formatTick(v, yt.step));
  const left = 24 + textHeight(S) + 10 + Math.max(...yLabels.map((l) => textWidth(l, S))) + 10;
  const top = 20 + textHeight(TITLE_S) + 16;
  const bottom = H - (20 + textHeight(S) + 12 + textHeight(S) + 12);
  const right = W - 24;
  const bmp = new Bitmap(W, H);
  bmp.text((W - textWidth(spec.title, TITLE_S)) / 2, 20, spec.title, BLACK, TITLE_S);
  const px = (x: number) => left + ((x - xmin) / (xmax - xmin)) * (right - left);
  const py = (y: number) => bottom - ((y - ymin) / (ymax - ymin)) * (bottom - top);
  yt.ticks.forEach((v, i) => {
    const y = py(v);
    if (y < top - 0.5 || y > bottom + 0.5) return;
    bmp.line(left, y, right, y, GRID);
    bmp.text(left - 8 - textWidth(yLabels[i]!, S), y - textHeight(S) / 2, yLabels[i]!, BLACK, S);
  });
  for (const v of xt.ticks) {
    const x = px(v);
    if (x < left - 0.5 || x > right + 0.5) continue;
    bmp.line(x, top, x, bottom, GRID);
    bmp.line(x, bottom, x, bottom + 5, AXIS);
    const l = formatTick(v, xt.step);
    bmp.text(x - textWidth(l, S) / 2, bottom + 10, l, BLACK, S);
  }
  bmp.line(left, top, left, bottom, AXIS, 2);
  bmp.line(left, bottom, right, bottom, AXIS, 2);
  bmp.text((left + right - textWidth(spec.xLabel, S)) / 2, H - 20 - textHeight(S), spec.xLabel, BLACK, S);
  bmp.textVertical(24, (top + bottom + textWidth(spec.yLabel, S)) / 2, spec.yLabel, BLACK, S);
  const colourOf = (s: LineSeries, i: number) => s.colour ?? PALETTE[i % PALETTE.length]!;
  spec.series.forEach((s, i) => {
    const c = colourOf(s, i);
    const markers = spec.markers ?? s.x.length <= 50;
    let prev: [number, number] | null = null;
    s.x.forEach((x, j) => {
      const y = s.y[j];
      if (y === null || y === undefined || !Number.isFinite(y)) {
        prev = null;
        return;
      }
      const p: [number, number] = [px(x), py(y)];
      if (prev) bmp.line(prev[0], prev[1], p[0], p[1], c, 2);
      if (markers) bmp.fillRect(p[0] - 3, p[1] - 3, 7, 7, c);
      prev = p;
    });
  });
  const entries = spec.series.map((s, i) => ({ name: s.name, colour: colourOf(s, i) }));
  let corner = spec.legend ?? 'auto';
  if (corner === 'auto') {
    const { w, h } = legendSize(entries);
    const inBox = (y0: number) => pts.filter(([x, y]) => px(x) >= right - w - 12 && py(y) >= y0 - 4 && py(y) <= y0 + h + 4).length;
    corner = inBox(bottom - h - 8) < inBox(top + 8) ? 'bottom-right' : 'top-right';
  }
  drawLegend(bmp, entries, right, top, corner === 'bottom-right' ? bottom : null);
  return bmp;
}

/** Spec of {@link horizontalBarChart}: one row per category, one bar per series. */
export interface BarChartSpec {
  title: string;
  xLabel: string;
  categories: readonly string[];
  /** Bars of each series (`colour` default: the palette's colour of the series' index). */
  series: readonly { name: string; colour?: Rgb; values: readonly (number | null)[] }[];
  /** Value axis range (default [0, max(1, data max)]). */
  xRange?: readonly [number, number];
  width?: number;
}

/** Horizontal grouped bars (category labels on the left, legible for 51+ classes). Null values: no bar, "n/a". */
export function horizontalBarChart(spec: BarChartSpec): Bitmap {
  const W = spec.width ?? 1000;
  for (const s of spec.series)
    if (s.values.length !== spec.categories.length)
      throw new Error(`@ccl/eval: bar series '${s.name}' has ${s.values.length} values for ${spec.categories.length} categories`);
  const vals = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const [xmin, xmax] = spec.xRange ?? [0, Math.max(1, ...vals)];
  const barH = 8;
  const groupH = Math.max(lineHeight(S) + 4, spec.series.length * barH + 6);
  const legendH = Math.ceil(spec.series.length / 3) * lineHeight(S) + 8;
  const top = 20 + textHeight(TITLE_S) + 12 + legendH + 8;
  const plotH = spec.categories.length * groupH;
  const H = top + plotH + 12 + textHeight(S) + 12 + textHeight(S) + 20;
  const left = 16 + Math.max(0, ...spec.categories.map((c) => textWidth(c, S))) + 10;
  const right = W - 30;
  const bmp = new Bitmap(W, H);
  bmp.text((W - textWidth(spec.title, TITLE_S)) / 2, 20, spec.title, BLACK, TITLE_S);
  // legend in up to 3 columns under the title
  spec.series.forEach((s, i) => {
    const colW = (right - left) / 3;
    const x = left + (i % 3) * colW;
    const y = 20 + textHeight(TITLE_S) + 12 + Math.floor(i / 3) * lineHeight(S);
    bmp.fillRect(x, y + 3, 20, 8, s.colour ?? PALETTE[i % PALETTE.length]!);
    bmp.text(x + 26, y, s.name, BLACK, S);
  });
  const px = (v: number) => left + ((Math.min(Math.max(v, xmin), xmax) - xmin) / (xmax - xmin)) * (right - left);
  const xt = niceTicks(xmin, xmax, 11);
  for (const v of xt.ticks) {
    const x = px(v);
    bmp.line(x, top, x, top + plotH, GRID);
    const l = formatTick(v, xt.step);
    bmp.text(x - textWidth(l, S) / 2, top + plotH + 12, l, BLACK, S);
  }
  spec.categories.forEach((cat, k) => {
    const gy = top + k * groupH;
    if (k % 2 === 1) bmp.fillRect(left + 1, gy, right - left, groupH, [246, 246, 246]);
    bmp.text(left - 10 - textWidth(cat, S), gy + (groupH - textHeight(S)) / 2, cat, BLACK, S);
    spec.series.forEach((s, i) => {
      const v = s.values[k];
      const y = gy + 3 + i * barH;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        bmp.text(left + 4, y, 'n/a', AXIS, 1);
        return;
      }
      bmp.fillRect(left, y, px(v) - left, barH - 1, s.colour ?? PALETTE[i % PALETTE.length]!);
    });
  });
  bmp.line(left, top, left, top + plotH, AXIS, 2);
  bmp.line(left, top + plotH, right, top + plotH, AXIS, 2);
  bmp.text((left + right - textWidth(spec.xLabel, S)) / 2, H - 20 - textHeight(S), spec.xLabel, BLACK, S);
  return bmp;
}
