/**
 * SVG figures of the reports: a small line chart (one per loss term or metric; any number of runs
 * overlaid, each in its own colour, raw values faint and smoothed values solid, optional log y axis) and
 * horizontal grouped bars (per-class accuracy). Each chart also returns the data the HTML report's hover
 * script reads ({@link HoverData}). Every series is a `<g data-run="name">`, so the HTML can toggle runs.
 */
import { formatTick, niceTicks } from './ticks';
import { smoothEma } from './smoothing';
import { el, escapeXml, polylinePath, svgDocument, text, textWidth } from './svg';

const AXIS = '#444444';
const GRID = '#e4e4e4';
const INK = '#222222';
const FS = 12; // tick and legend font size
const TITLE_FS = 14;

/** One run's curve: points in x order (null y: no value). */
export interface CurveSeries {
  name: string;
  colour: string;
  x: readonly number[];
  y: readonly (number | null)[];
}

/** Spec of {@link svgLineChart}. */
export interface SvgLineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly CurveSeries[];
  width?: number;
  height?: number;
  /** EMA weight in [0, 1) ({@link smoothEma}); 0 (default) plots the values as they are. */
  smoothing?: number;
  /** Log y axis (used only when every value is > 0; otherwise the axis stays linear and says so). */
  logY?: boolean;
  /** Fixed y range (linear axis only). */
  yRange?: readonly [number, number];
  /** Explicit x tick positions. */
  xTicks?: readonly number[];
  /** Markers at every point (default: when each series has at most 30 points). */
  markers?: boolean;
  /**
   * Most points drawn per series (default 1500): longer series are thinned to every k-th point (and the
   * last) after smoothing over all of them, so a long run's figure and the HTML stay small.
   */
  maxPoints?: number;
}

/** What the HTML hover script needs: the plot box in SVG px, the axis mapping, and the plotted values. */
export interface HoverData {
  plot: { left: number; right: number; top: number; bottom: number };
  x: { min: number; max: number };
  y: { min: number; max: number; log: boolean };
  xLabel: string;
  series: { name: string; colour: string; x: number[]; y: (number | null)[]; smoothed: (number | null)[] | null }[];
}

/** An SVG figure and its size (and, for line charts, the hover data). */
export interface SvgFigure {
  svg: string;
  width: number;
  height: number;
  hover: HoverData | null;
  /** True when `logY` was asked for but the data has values ≤ 0. */
  logFellBack?: boolean;
}

/** A series' points whose x and y are finite numbers, in order (the rest are not drawn). */
export function finitePoints(s: Pick<CurveSeries, 'name' | 'x' | 'y'>): [number, number][] {
  if (s.x.length !== s.y.length) throw new Error(`@ccl/eval: series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
  return s.x.flatMap((x, i) => {
    const y = s.y[i];
    return y === null || y === undefined || !Number.isFinite(y) || !Number.isFinite(x) ? [] : [[x, y] as [number, number]];
  });
}

/** Indices kept of `n` points when at most `max` are drawn: every k-th (k = ceil((n - 1) / (max - 1))) and the last. */
export function thinned(n: number, max: number): number[] {
  if (!(max >= 2)) throw new Error(`@ccl/eval: maxPoints must be at least 2, got ${max}`);
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const k = Math.ceil((n - 1) / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += k) out.push(i);
  out.push(n - 1);
  return out;
}

/** A file- and id-safe name: lower case, runs of other characters as '-'. */
export function slugOf(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'x'
  );
}

/** Log-axis ticks: powers of ten inside [min, max], with 2 and 5 multiples when the range spans ≤ 2 decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of mults) ticks.push(m * 10 ** e);
  const inside = ticks.filter((t) => t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9));
  return inside.length >= 2 ? inside : [min, max];
}

function formatLogTick(v: number): string {
  if (v >= 1e4 || v < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** Legend rows under a plot: swatch + name, wrapped to `width`. Returns the SVG and its height. */
function legendBelow(entries: readonly { name: string; colour: string }[], left: number, width: number, y0: number): { svg: string; height: number } {
  const rowH = FS + 6;
  let x = left;
  let y = y0;
  const parts: string[] = [];
  for (const e of entries) {
    const w = 22 + textWidth(e.name, FS) + 14;
    if (x > left && x + w > left + width) {
      x = left;
      y += rowH;
    }
    parts.push(
      el(
        'g',
        { 'data-run': e.name, class: 'legend-entry' },
        el('rect', { x, y: y + 3, width: 16, height: 4, fill: e.colour }),
        text(x + 21, y + FS - 2, e.name, { 'font-size': FS, fill: INK }),
      ),
    );
    x += w;
  }
  return { svg: el('g', { class: 'legend' }, ...parts), height: entries.length ? y - y0 + rowH : 0 };
}

/** A line chart as SVG (see {@link SvgLineChartSpec}); the legend sits under the plot, never over data. */
export function svgLineChart(spec: SvgLineChartSpec): SvgFigure {
  const W = spec.width ?? 380;
  const plotH = (spec.height ?? 250) - 80;
  const smoothing = spec.smoothing ?? 0;
  const maxPoints = spec.maxPoints ?? 1500;
  const series = spec.series.map((s) => {
    const every = finitePoints(s);
    const smoothedEvery =
      smoothing > 0
        ? smoothEma(
            every.map((p) => p[1]),
            smoothing,
          )
        : null;
    const keep = thinned(every.length, maxPoints);
    return { s, pts: keep.map((i) => every[i]!), smoothed: smoothedEvery ? keep.map((i) => smoothedEvery[i]!) : null };
  });
  const all = series.flatMap((r) => r.pts);
  const logFellBack = Boolean(spec.logY) && all.some((p) => p[1] <= 0);
  const logY = Boolean(spec.logY) && !logFellBack && all.length > 0;
  const xs = [...all.map((p) => p[0]), ...(spec.xTicks ?? [])];
  let [xmin, xmax] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (xmax === xmin) [xmin, xmax] = [xmin - 0.5, xmax + 0.5];
  const ys = all.map((p) => p[1]);
  let [ymin, ymax] = spec.yRange && !logY ? spec.yRange : ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  let yTicks: number[];
  let yLabels: string[];
  if (logY) {
    ymin /= 1.15;
    ymax *= 1.15;
    yTicks = logTicks(ymin, ymax);
    yLabels = yTicks.map(formatLogTick);
  } else {
    if (!spec.yRange) {
      const pad = (ymax - ymin) * 0.06 || Math.abs(ymax) * 0.1 || 0.5;
      ymin -= pad;
      ymax += pad;
    }
    // at least 3 labelled ticks inside the range (Heckbert's step can leave one for some ranges)
    let t = niceTicks(ymin, ymax, 6);
    const inside = (tk: typeof t) => tk.ticks.filter((v) => v >= ymin - 1e-9 && v <= ymax + 1e-9);
    for (let n = 7; inside(t).length < 3 && n <= 12; n++) t = niceTicks(ymin, ymax, n);
    yTicks = inside(t);
    const step = t.step;
    yLabels = yTicks.map((v) => formatTick(v, step));
  }
  const xt = spec.xTicks ? { ticks: [...spec.xTicks], step: 1 } : niceTicks(xmin, xmax, 6);
  const left = 16 + FS + 8 + Math.max(20, ...yLabels.map((l) => textWidth(l, FS))) + 6;
  const right = W - 14;
  const top = 10 + TITLE_FS + 12;
  const bottom = top + plotH;
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  const px = (x: number) => left + ((x - xmin) / (xmax - xmin)) * (right - left);
  const py = (y: number) => bottom - ((ty(y) - ty(ymin)) / (ty(ymax) - ty(ymin))) * (bottom - top);
  const body: string[] = [];
  body.push(text(left, 10 + TITLE_FS, spec.title, { 'font-size': TITLE_FS, 'font-weight': 'bold', fill: INK }));
  yTicks.forEach((v, i) => {
    const y = py(v);
    body.push(el('line', { x1: left, y1: y, x2: right, y2: y, stroke: GRID }));
    body.push(text(left - 6, y + 4, yLabels[i]!, { 'font-size': FS, 'text-anchor': 'end', fill: INK }));
  });
  for (const v of xt.ticks) {
    if (v < xmin - 1e-9 || v > xmax + 1e-9) continue;
    const x = px(v);
    body.push(el('line', { x1: x, y1: top, x2: x, y2: bottom, stroke: GRID }));
    body.push(el('line', { x1: x, y1: bottom, x2: x, y2: bottom + 4, stroke: AXIS }));
    body.push(text(x, bottom + 6 + FS, formatTick(v, xt.step), { 'font-size': FS, 'text-anchor': 'middle', fill: INK }));
  }
  body.push(el('path', { d: `M${left} ${top}V${bottom}H${right}`, fill: 'none', stroke: AXIS, 'stroke-width': 1.2 }));
  body.push(text((left + right) / 2, bottom + 12 + 2 * FS, spec.xLabel, { 'font-size': FS, 'text-anchor': 'middle', fill: INK }));
  const yLabel = logFellBack ? `${spec.yLabel} (linear: values ≤ 0)` : logY ? `${spec.yLabel} (log)` : spec.yLabel;
  const cy = (top + bottom) / 2;
  body.push(text(16 + FS / 2, cy, yLabel, { 'font-size': FS, 'text-anchor': 'middle', fill: INK, transform: `rotate(-90 ${16 + FS / 2} ${cy})` }));
  const clipId = `clip-${slugOf(spec.title)}`; // unique per figure: several SVGs share one HTML document
  body.push(el('defs', {}, el('clipPath', { id: clipId }, el('rect', { x: left - 4, y: top - 4, width: right - left + 8, height: bottom - top + 8 }))));
  const lines: string[] = [];
  // the logged values behind the smoothed lines: fainter the more runs share the plot
  const rawOpacity = Math.round(Math.max(0.08, 0.3 / Math.sqrt(Math.max(1, series.filter((r) => r.pts.length).length))) * 100) / 100;
  for (const { s, pts, smoothed } of series) {
    if (pts.length === 0) continue;
    const markers = spec.markers ?? pts.length <= 30;
    const pix = pts.map(([x, y]) => [px(x), py(y)] as [number, number]);
    const parts: string[] = [];
    if (smoothed) {
      parts.push(el('path', { d: polylinePath(pix), fill: 'none', stroke: s.colour, 'stroke-width': 1, 'stroke-opacity': rawOpacity }));
      parts.push(el('path', { d: polylinePath(pts.map(([x], i) => [px(x), py(smoothed[i]!)])), fill: 'none', stroke: s.colour, 'stroke-width': 2 }));
    } else {
      parts.push(el('path', { d: polylinePath(pix), fill: 'none', stroke: s.colour, 'stroke-width': 2 }));
    }
    if (markers) for (const [x, y] of pix) parts.push(el('circle', { cx: x, cy: y, r: 3, fill: s.colour }));
    lines.push(el('g', { 'data-run': s.name, class: 'series' }, ...parts));
  }
  body.push(el('g', { 'clip-path': `url(#${clipId})` }, ...lines));
  const legend = legendBelow(
    spec.series.map((s) => ({ name: s.name, colour: s.colour })),
    left,
    right - left,
    bottom + 18 + 2 * FS,
  );
  body.push(legend.svg);
  const H = Math.ceil(bottom + 18 + 2 * FS + legend.height + 6);
  const hover: HoverData = {
    plot: { left, right, top, bottom },
    x: { min: xmin, max: xmax },
    y: { min: ymin, max: ymax, log: logY },
    xLabel: spec.xLabel,
    series: series.map(({ s, pts, smoothed }) => ({
      name: s.name,
      colour: s.colour,
      x: pts.map((p) => p[0]),
      y: pts.map((p) => Number(p[1].toPrecision(6))),
      smoothed: smoothed ? smoothed.map((v) => Number(v.toPrecision(6))) : null,
    })),
  };
  return { svg: svgDocument(W, H, body), width: W, height: H, hover, ...(logFellBack ? { logFellBack } : {}) };
}

/** Spec of {@link svgBarChart}: one row per category, one bar per series. */
export interface SvgBarChartSpec {
  title: string;
  xLabel: string;
  categories: readonly string[];
  series: readonly { name: string; colour: string; values: readonly (number | null)[] }[];
  xRange?: readonly [number, number];
  width?: number;
}

/** Horizontal grouped bars (category names on the left); null values are marked "n/a". */
export function svgBarChart(spec: SvgBarChartSpec): SvgFigure {
  const W = spec.width ?? 760;
  for (const s of spec.series)
    if (s.values.length !== spec.categories.length)
      throw new Error(`@ccl/eval: bar series '${s.name}' has ${s.values.length} values for ${spec.categories.length} categories`);
  const vals = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const [xmin, xmax] = spec.xRange ?? [0, Math.max(1, ...vals)];
  const barH = 6;
  const groupH = Math.max(FS + 6, spec.series.length * barH + 6);
  const left = 14 + Math.max(0, ...spec.categories.map((c) => textWidth(c, FS))) + 8;
  const right = W - 20;
  const legend = legendBelow(spec.series, left, right - left, 10 + TITLE_FS + 10);
  const top = 10 + TITLE_FS + 10 + legend.height + 8;
  const plotH = spec.categories.length * groupH;
  const H = Math.ceil(top + plotH + 12 + FS + 10 + FS + 12);
  const px = (v: number) => left + ((Math.min(Math.max(v, xmin), xmax) - xmin) / (xmax - xmin)) * (right - left);
  const body: string[] = [text(left, 10 + TITLE_FS, spec.title, { 'font-size': TITLE_FS, 'font-weight': 'bold', fill: INK }), legend.svg];
  spec.categories.forEach((_, k) => {
    if (k % 2 === 1) body.push(el('rect', { x: left, y: top + k * groupH, width: right - left, height: groupH, fill: '#f5f5f5' }));
  });
  const xt = niceTicks(xmin, xmax, 11);
  for (const v of xt.ticks) {
    const x = px(v);
    body.push(el('line', { x1: x, y1: top, x2: x, y2: top + plotH, stroke: GRID }));
    body.push(text(x, top + plotH + 8 + FS, formatTick(v, xt.step), { 'font-size': FS, 'text-anchor': 'middle', fill: INK }));
  }
  spec.categories.forEach((cat, k) => {
    const gy = top + k * groupH;
    body.push(text(left - 8, gy + groupH / 2 + FS / 3, cat, { 'font-size': FS, 'text-anchor': 'end', fill: INK }));
  });
  spec.series.forEach((s, i) => {
    const parts: string[] = [];
    s.values.forEach((v, k) => {
      const y = top + k * groupH + 3 + i * barH;
      if (v === null || v === undefined || !Number.isFinite(v)) parts.push(text(left + 3, y + barH, 'n/a', { 'font-size': 8, fill: AXIS }));
      else
        parts.push(
          el(
            'rect',
            { x: left, y, width: Math.max(0.5, px(v) - left), height: barH - 1, fill: s.colour },
            `<title>${escapeXml(`${s.name} · ${spec.categories[k]}: ${v.toFixed(1)}`)}</title>`,
          ),
        );
    });
    body.push(el('g', { 'data-run': s.name, class: 'series' }, ...parts));
  });
  body.push(el('path', { d: `M${left} ${top}V${top + plotH}H${right}`, fill: 'none', stroke: AXIS, 'stroke-width': 1.2 }));
  body.push(text((left + right) / 2, H - 12, spec.xLabel, { 'font-size': FS, 'text-anchor': 'middle', fill: INK }));
  return { svg: svgDocument(W, H, body), width: W, height: H, hover: null };
}
