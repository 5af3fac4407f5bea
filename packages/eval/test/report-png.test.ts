import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { svgBarChart, svgLineChart } from '../src';
import { RASTERISER_MISSING, loadRasteriser, rasteriserFrom } from '../src/report/rasterise';
import { PNG_ZOOM } from '../src/report/sections/figure-set';
import { formatTick, niceTicks } from '../src/report/ticks';

describe('axis ticks', () => {
  it('nice ticks use 1-2-5 steps and cover the range', () => {
    expect(niceTicks(0, 1, 6)).toEqual({ ticks: [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map((v) => expect.closeTo(v, 12)), step: 0.2 });
    expect(niceTicks(22.1, 60.2, 7).step).toBe(10);
    expect(niceTicks(22.1, 60.2, 7).ticks).toEqual([30, 40, 50, 60]);
    expect(niceTicks(3, 3).ticks.length).toBeGreaterThan(0);
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(40, 10)).toBe('40');
  });
});

describe('PNGs rasterised from the SVG figures (resvg, bundled DejaVu fonts)', () => {
  const line = svgLineChart({
    title: 'Loss',
    xLabel: 'step',
    yLabel: 'loss',
    series: [
      { name: 'baseline', colour: '#0072b2', x: [0, 1, 2, 3], y: [3, 2, 1.5, 1.2] },
      { name: 'ccl', colour: '#d55e00', x: [0, 1, 2, 3], y: [3, 1.8, 1.1, 0.9] },
    ],
  });
  const bars = svgBarChart({ title: 'Per class', xLabel: '%', categories: ['a', 'b'], series: [{ name: 'm', colour: '#009e73', values: [40, null] }] });
  /** Counts of near-black (text, axes) and of the given colour's pixels. */
  const census = (png: PNG, rgb: [number, number, number]) => {
    let dark = 0;
    let colour = 0;
    for (let p = 0; p < png.width * png.height; p++) {
      const [r, g, b] = [png.data[4 * p]!, png.data[4 * p + 1]!, png.data[4 * p + 2]!];
      if (r < 60 && g < 60 && b < 60) dark++;
      if (Math.abs(r - rgb[0]) < 12 && Math.abs(g - rgb[1]) < 12 && Math.abs(b - rgb[2]) < 12) colour++;
    }
    return { dark, colour };
  };

  it('are the SVG at twice its size, drawn (text and series colours), and the same bytes for the same SVG', async () => {
    const rasterise = await loadRasteriser();
    for (const [fig, rgb] of [
      [line, [0xd5, 0x5e, 0x00]],
      [bars, [0x00, 0x9e, 0x73]],
    ] as const) {
      const bytes = rasterise(fig.svg);
      const png = PNG.sync.read(Buffer.from(bytes));
      expect([png.width, png.height]).toEqual([fig.width * PNG_ZOOM, fig.height * PNG_ZOOM]);
      const { dark, colour } = census(png, [...rgb]);
      expect(dark).toBeGreaterThan(500); // title, labels and axes were drawn with the bundled font
      expect(colour).toBeGreaterThan(100);
      expect(Buffer.from(rasterise(fig.svg)).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(Buffer.from(rasterise(line.svg)).equals(Buffer.from(rasterise(line.svg.replace('>Loss<', '>Lass<'))))).toBe(false); // text is drawn
  });

  it('the title is drawn in bold (the bundled bold face): more ink than the same title in the regular face', async () => {
    const rasterise = await loadRasteriser();
    const ink = (svg: string) => census(PNG.sync.read(Buffer.from(rasterise(svg))), [0, 0, 0]).dark;
    expect(ink(line.svg)).toBeGreaterThan(ink(line.svg.replace('font-weight="bold"', 'font-weight="normal"')) + 50);
  });

  it('without the optional packages: one line naming them and how to install them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-no-resvg-'));
    try {
      const bare = createRequire(path.join(dir, 'x.js')); // resolves from a folder with no node_modules above it
      await expect(rasteriserFrom(bare)).rejects.toThrow(RASTERISER_MISSING);
      expect(RASTERISER_MISSING).not.toContain('\n');
      expect(RASTERISER_MISSING).toMatch(/npm install @resvg\/resvg-wasm dejavu-fonts-ttf/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
