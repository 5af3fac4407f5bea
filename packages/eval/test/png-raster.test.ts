import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { lineChart } from '../src';
import { Bitmap, textWidth } from '../src/report/bitmap';
import { formatTick, niceTicks } from '../src/report/charts';
import { fontCharacters, glyph } from '../src/report/font';
import { crc32, encodePng } from '../src/report/png';

describe('PNG encoder', () => {
  it('CRC-32 equals node:zlib crc32 and the check value of "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const b = Buffer.from('IHDR some bytes \u00ff');
    expect(crc32(b)).toBe(zlib.crc32(b));
  });

  it('round-trips pixels through an independent decoder (pngjs)', () => {
    const w = 5,
      h = 3;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
    const png = PNG.sync.read(encodePng(w, h, rgb));
    expect([png.width, png.height]).toEqual([w, h]);
    for (let p = 0; p < w * h; p++) {
      expect([png.data[p * 4], png.data[p * 4 + 1], png.data[p * 4 + 2], png.data[p * 4 + 3]]).toEqual([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], 255]);
    }
  });

  it('rejects wrong buffer sizes', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(/11 bytes, expected 12/);
    expect(() => new Bitmap(0, 3)).toThrow(/positive integers/);
  });
});

describe('raster', () => {
  it('draws lines through both endpoints with clipping', () => {
    const b = new Bitmap(10, 10);
    b.line(1, 1, 8, 5, [255, 0, 0]);
    expect(b.getPixel(1, 1)).toEqual([255, 0, 0]);
    expect(b.getPixel(8, 5)).toEqual([255, 0, 0]);
    expect(b.getPixel(0, 9)).toEqual([255, 255, 255]);
    b.line(-5, 0, 20, 0, [0, 0, 255]); // clipped, no throw
    expect(b.getPixel(9, 0)).toEqual([0, 0, 255]);
  });

  it('renders glyphs pixel for pixel at a scale', () => {
    const b = new Bitmap(20, 20);
    b.text(2, 3, 'A', [0, 0, 0], 2);
    const g = glyph('A');
    for (let r = 0; r < 7; r++)
      for (let q = 0; q < 5; q++) {
        const ink = b.getPixel(2 + q * 2 + 1, 3 + r * 2 + 1)[0] === 0;
        expect(ink).toBe(g[r]![q]);
      }
    expect(textWidth('AB', 2)).toBe(22);
  });

  it('the font covers printable ASCII with 7-row glyphs (9 with descenders)', () => {
    const chars = fontCharacters();
    for (let c = 32; c < 127; c++) expect(chars).toContain(String.fromCharCode(c));
    for (const ch of chars) expect([7, 9]).toContain(glyph(ch).length);
    expect(glyph('\u2603')).toEqual(glyph('\u2604')); // unknown -> the same box
  });

  it('nice ticks use 1-2-5 steps and cover the range', () => {
    expect(niceTicks(0, 1, 6)).toEqual({ ticks: [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map((v) => expect.closeTo(v, 12)), step: 0.2 });
    expect(niceTicks(22.1, 60.2, 7).step).toBe(10);
    expect(niceTicks(22.1, 60.2, 7).ticks).toEqual([30, 40, 50, 60]);
    expect(niceTicks(3, 3).ticks.length).toBeGreaterThan(0);
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(40, 10)).toBe('40');
  });
});

describe('line chart legend', () => {
  /** Black (text) pixels in the rectangle. */
  const dark = (b: Bitmap, x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (b.getPixel(x, y)[0] === 0) n++;
    return n;
  };
  const chart = (ys: number[]) =>
    lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'series one', x: ys.map((_, i) => i), y: ys }], width: 600, height: 400 });
  it('auto placement moves the legend away from the data (bottom-right for rising curves)', () => {
    const rising = chart([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const falling = chart([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    // legend text region near the right edge: upper band vs lower band of the plot
    const upper = (b: Bitmap) => dark(b, 380, 60, 580, 120);
    const lower = (b: Bitmap) => dark(b, 380, 250, 580, 330);
    expect(lower(rising)).toBeGreaterThan(50);
    expect(upper(rising)).toBe(0);
    expect(upper(falling)).toBeGreaterThan(50);
    expect(lower(falling)).toBe(0);
  });
});
