/**
 * Run colours: every run (or series name) gets one colour, the same in every figure of a report. The first
 * 20 come from a fixed list of well-separated colours (Okabe-Ito's colour-blind-safe set with indigo for
 * its black, then Tableau and darker shades); beyond that colours are generated on the golden-angle hue circle, so no colour repeats.
 */

/** The fixed part of the palette (hex, as used in SVG/CSS). */
export const RUN_PALETTE: readonly string[] = [
  '#0072b2', // blue
  '#d55e00', // vermillion
  '#009e73', // bluish green
  '#cc79a7', // reddish purple
  '#e69f00', // orange
  '#56b4e9', // sky blue
  '#332288', // indigo (not black: the axes are near-black)
  '#8c564b', // brown
  '#7f7f7f', // grey
  '#bcbd22', // olive
  '#9467bd', // purple
  '#17becf', // cyan
  '#d62728', // red
  '#2ca02c', // green
  '#1f3a93', // navy
  '#ff7f0e', // tangerine
  '#a50f62', // plum
  '#5b8c00', // moss
  '#6b4c9a', // violet
  '#b8860b', // dark goldenrod
];

/** Colour number `i` (0-based): the fixed palette, then golden-angle hues at two lightness levels. */
export function paletteColour(i: number): string {
  if (!Number.isInteger(i) || i < 0) throw new Error(`@ccl/eval: palette index must be a non-negative integer, got ${i}`);
  if (i < RUN_PALETTE.length) return RUN_PALETTE[i]!;
  const j = i - RUN_PALETTE.length;
  const hue = (j * 137.508) % 360;
  const lightness = j % 2 === 0 ? 38 : 52;
  return hslToHex(hue, 70, lightness);
}

/** `hsl(h, s%, l%)` as `#rrggbb`. */
export function hslToHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Colours of `names` in order (duplicates keep their first colour): name → colour. */
export function assignColours(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) if (!out.has(n)) out.set(n, paletteColour(out.size));
  return out;
}
