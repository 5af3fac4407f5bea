/**
 * A small SVG writer: string building with escaped text and attributes, no dependencies. Text uses
 * {@link FONT_FAMILY} (real fonts with a generic fallback), so figures render with whatever sans-serif font
 * the viewer has. Text widths for layout are estimated ({@link textWidth}), not measured.
 */

/** Font stack of every figure: common sans-serif fonts, then the generic family. */
export const FONT_FAMILY = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif";

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Attribute values: strings are escaped, numbers rounded to 2 decimals, undefined/false left out. */
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

/** A number for SVG coordinates: at most 2 decimals, no "-0". */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`@ccl/eval: SVG coordinate is not finite (${v})`);
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === false) continue;
    out += ` ${k}="${v === true ? k : typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

/** `<name attrs>children</name>` (self-closing without children). Children are already-built SVG strings. */
export function el(name: string, a: Attrs = {}, ...children: string[]): string {
  return children.length ? `<${name}${attrs(a)}>${children.join('')}</${name}>` : `<${name}${attrs(a)}/>`;
}

/** A text element with escaped content. */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return `<text${attrs({ x, y, ...a })}>${escapeXml(content)}</text>`;
}

/** Path data of a polyline through `points` (pixel coordinates). */
export function polylinePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${num(x)} ${num(y)}`).join('');
}

/** Estimated width in px of `s` at `fontSize` (average sans-serif advance ≈ 0.6 em; digits and capitals count fully). */
export function textWidth(s: string, fontSize: number): number {
  let w = 0;
  for (const ch of s) w += /[il.,:;'|!1 ]/.test(ch) ? 0.32 : /[A-Z0-9mwMW@%]/.test(ch) ? 0.68 : 0.56;
  return w * fontSize;
}

/** A standalone SVG document (XML declaration-free, so it can also be inlined in HTML). */
export function svgDocument(width: number, height: number, body: string[], a: Attrs = {}): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      'font-family': FONT_FAMILY,
      ...a,
    },
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    ...body,
  );
}
