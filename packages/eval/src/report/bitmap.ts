/**
 * A small RGB raster canvas: filled rectangles, thick lines (Bresenham with a square pen), and text in
 * the 5x7 bitmap font, horizontal or rotated 90° counter-clockwise. No antialiasing, no system fonts.
 */
import { CELL_HEIGHT, CELL_WIDTH, GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font';
import { encodePng } from './png';

/** RGB colour, components 0-255. */
export type Rgb = readonly [number, number, number];

/** Colours used across plots (matplotlib's tab10 order). */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export class Bitmap {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
      throw new Error(`@ccl/eval: bitmap size must be positive integers, got ${width}x${height}`);
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 3);
  }

  /** Sets one pixel; coordinates outside the bitmap are ignored (clipping). */
  setPixel(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = c[0];
    this.data[o + 1] = c[1];
    this.data[o + 2] = c[2];
  }

  /** Reads one pixel. */
  getPixel(x: number, y: number): Rgb {
    const o = (y * this.width + x) * 3;
    return [this.data[o]!, this.data[o + 1]!, this.data[o + 2]!];
  }

  /** Fills the rectangle [x, x+w) x [y, y+h). */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x)),
      y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w)),
      y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.setPixel(xx, yy, c);
  }

  /** Outline of a rectangle, 1 px. */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    this.line(x, y, x + w - 1, y, c);
    this.line(x, y + h - 1, x + w - 1, y + h - 1, c);
    this.line(x, y, x, y + h - 1, c);
    this.line(x + w - 1, y, x + w - 1, y + h - 1, c);
  }

  /** Line from (x0, y0) to (x1, y1) with a square pen of `width` px (Bresenham). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, width = 1): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0),
      dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1,
      sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    const lo = -Math.floor((width - 1) / 2),
      hi = lo + width - 1;
    for (;;) {
      for (let a = lo; a <= hi; a++) for (let b = lo; b <= hi; b++) this.setPixel(x0 + a, y0 + b, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** Draws `text` with its top-left corner at (x, y); `scale` integer pixel size of a font pixel. */
  text(x: number, y: number, text: string, c: Rgb, scale = 1): void {
    let cx = Math.round(x);
    for (const ch of text) {
      const g = glyph(ch);
      for (let r = 0; r < g.length; r++)
        for (let q = 0; q < GLYPH_WIDTH; q++) if (g[r]![q]) this.fillRect(cx + q * scale, Math.round(y) + r * scale, scale, scale, c);
      cx += CELL_WIDTH * scale;
    }
  }

  /** Text rotated 90° counter-clockwise (reads bottom to top), its bottom-left corner at (x, y). */
  textVertical(x: number, y: number, text: string, c: Rgb, scale = 1): void {
    let cy = Math.round(y);
    for (const ch of text) {
      const g = glyph(ch);
      // glyph pixel (row r, column q) -> (x + r, cy - q)
      for (let r = 0; r < g.length; r++)
        for (let q = 0; q < GLYPH_WIDTH; q++) if (g[r]![q]) this.fillRect(Math.round(x) + r * scale, cy - (q + 1) * scale, scale, scale, c);
      cy -= CELL_WIDTH * scale;
    }
  }

  /** PNG bytes of the bitmap. */
  toPng(): Buffer {
    return encodePng(this.width, this.height, this.data);
  }
}

/** Width in pixels of `text` drawn at `scale` (last cell without its spacing column). */
export function textWidth(text: string, scale = 1): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * CELL_WIDTH - 1) * scale;
}

/** Height in pixels of one text line at `scale`. */
export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}

/** Line advance at `scale`. */
export function lineHeight(scale = 1): number {
  return CELL_HEIGHT * scale;
}
