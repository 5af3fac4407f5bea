/**
 * The HTML report in a real browser: headless Chromium (Debian's package, driven by playwright-core through
 * tools/system/browser.cjs; nothing downloaded) opens report.html from disk. No console errors, no page
 * errors, no request leaves the file; every figure is drawn (its screenshot has ink and run colours);
 * hovering a curve shows every run's value; unticking a run removes its colour from the figures.
 * Without Chromium the test fails with the reason (tools/system/setup.sh installs it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type RgbaImage, decodePng } from './helpers/decode-png';
import { evaluateRecognition, evaluateRetrieval, reportFromRunDirectories, splitClassesByAgreement, writeRunEvaluation, type ReportJson } from '../src';

const { launchBrowser } = require('../../../tools/system/browser.cjs') as { launchBrowser: (args?: string[]) => Promise<Browser> };

const classNames = ['Drumming', 'Typing', 'Surfing'];
const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const videoLabels = { a: 0, b: 0, c: 1, d: 1, e: 2, f: 2 };

/** A run folder with a 60-step log (noisy, decreasing loss terms), an epoch log and evaluation results. */
function makeRun(root: string, method: string, seed: number, skill: number, terms: string[]): string {
  const dir = path.join(root, `${method}-s${seed}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ method, seed, selection: 'held-out split', config: { lr: 0.05, method } }));
  const steps = Array.from({ length: 60 }, (_, s) => {
    const rec: Record<string, number> = { epoch: Math.floor(s / 10), step: s % 10, globalStep: s + 1, lr: 0.05 };
    terms.forEach((t, i) => (rec[t] = (2 + i) * Math.exp(-s / (30 + 10 * skill)) + 0.2 * Math.sin(s * (1.3 + i))));
    rec['loss'] = terms.reduce((a, t) => a + rec[t]!, 0);
    return JSON.stringify(rec);
  });
  fs.writeFileSync(path.join(dir, 'steps.jsonl'), `${steps.join('\n')}\n`);
  const epochs = Array.from({ length: 6 }, (_, e) => JSON.stringify({ epoch: e, lr: 0.05, valClipAccuracy: Math.min(1, 0.2 + 0.1 * e * skill) }));
  fs.writeFileSync(path.join(dir, 'epochs.jsonl'), `${epochs.join('\n')}\n`);
  const logits = ids.map((id, i) => [0, 1, 2].map((k) => (k === videoLabels[id as keyof typeof videoLabels] ? skill : 0) + ((i * 7 + k * 3) % 5) * 0.3));
  writeRunEvaluation(dir, {
    recognition: evaluateRecognition({ windowScores: logits, videoIds: ids, videoLabels, classNames }),
    retrieval: evaluateRetrieval({
      queries: logits.map((row, i) => row.map((v, k) => v + ((i + k * skill) % 4) * 0.9)),
      queryLabels: [0, 0, 1, 1, 2, 2],
      gallery: logits,
      galleryLabels: [0, 1, 2, 0, 1, 2],
      ks: [1, 2, 5],
    }),
  });
  return dir;
}

/**
 * Pixels of `img` inside `box` (whole image by default): how many are not near-white ("ink"), and for each of
 * `colours` how many are within 40 of it per channel.
 */
function pixelCounts(img: RgbaImage, colours: readonly (readonly [number, number, number])[] = [], box = { x: 0, y: 0, width: img.width, height: img.height }) {
  let ink = 0;
  const matching = colours.map(() => 0);
  const d = img.data;
  for (let y = Math.max(0, Math.round(box.y)); y < Math.min(img.height, Math.round(box.y + box.height)); y++)
    for (let x = Math.max(0, Math.round(box.x)); x < Math.min(img.width, Math.round(box.x + box.width)); x++) {
      const p = 4 * (y * img.width + x);
      const r = d[p]!;
      const g = d[p + 1]!;
      const b = d[p + 2]!;
      if (r > 234 && g > 234 && b > 234) continue; // background
      ink++;
      colours.forEach((c, i) => {
        if (Math.abs(r - c[0]) < 40 && Math.abs(g - c[1]) < 40 && Math.abs(b - c[2]) < 40) matching[i]!++;
      });
    }
  return { ink, matching };
}

/** The DOM members the page functions use (this package compiles without the DOM library). */
interface DomElement {
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  getAttribute(name: string): string | null;
}

const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

describe('report.html in headless Chromium', () => {
  let root: string;
  let report: ReportJson;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-report-html-'));
    const runs = [
      makeRun(root, 'baseline', 1, 1, ['cls_v']),
      makeRun(root, 'ccl-ai', 1, 3, ['cls_v', 'audio.vm', 'image.vm']),
      makeRun(root, 'fitnet', 1, 2, ['cls_v', 'audio.fitnet']),
    ];
    report = (
      await reportFromRunDirectories(runs, path.join(root, 'report'), {
        title: 'Browser check <&>',
        classSplit: splitClassesByAgreement([0.9, 0.4, 0.1]),
        agreementSource: 'designed',
        baseline: 'baseline',
      })
    ).report;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) foreignRequests.push(r.url());
    });
    await page.goto(`file://${path.join(root, 'report', 'report.html')}`, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('loads without console errors, page errors or network requests; the title is escaped', async () => {
    expect(await page.title()).toBe('Browser check <&>');
    expect(problems).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('draws every figure: ink and the run colours inside each figure', async () => {
    const figures = await page.locator('figure.chart').all();
    expect(figures).toHaveLength(report.figures.length);
    expect(report.figures.map((f) => f.kind)).toEqual(
      expect.arrayContaining(['loss-term', 'epoch-metric', 'recall-at-k', 'per-class-accuracy', 'subset-accuracy']),
    );
    // one full-page screenshot (page coordinates = viewport coordinates at scroll 0); in each figure, every
    // run's series group must be drawn in the run's colour inside the group's own box (the plot area, not
    // the legend, whose swatches are outside the series groups)
    await page.evaluate('window.scrollTo(0, 0)');
    const layout = await page.locator('figure.chart').evaluateAll((figs) =>
      figs.map((f) => {
        const box = (e: DomElement) => {
          const r = e.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        };
        return {
          svg: box(f.querySelector('svg')!),
          series: [...f.querySelectorAll('g.series')].map((g) => ({ run: g.getAttribute('data-run')!, box: box(g) })),
        };
      }),
    );
    const shot = decodePng(await page.screenshot({ fullPage: true }));
    for (const fig of layout) {
      expect(fig.svg.width).toBeGreaterThan(200);
      expect(fig.svg.height).toBeGreaterThan(150);
      expect(pixelCounts(shot, [], fig.svg).ink).toBeGreaterThan(0.02 * fig.svg.width * fig.svg.height);
      expect(fig.series.length).toBeGreaterThan(0);
      for (const s of fig.series) {
        const colour = report.colours[s.run] ?? report.colours[s.run.replace(/ \(probe\)$/, '')];
        expect(colour).toBeDefined();
        expect(pixelCounts(shot, [rgbOf(colour!)], s.box).matching[0]).toBeGreaterThan(15);
      }
    }
  });

  it('hovering a loss plot shows the value of every run at that step', async () => {
    const fig = page.locator('figure[data-hover="loss-cls-v"]');
    await fig.scrollIntoViewIfNeeded();
    const svgBox = (await fig.locator('svg').boundingBox())!;
    const hover = JSON.parse((await page.locator('#hover-data').textContent()) as string)['loss-cls-v'];
    const vbWidth = Number((await fig.locator('svg').getAttribute('viewBox'))!.split(' ')[2]);
    const scale = svgBox.width / vbWidth;
    const x = svgBox.x + scale * (hover.plot.left + 0.5 * (hover.plot.right - hover.plot.left));
    const y = svgBox.y + scale * (hover.plot.top + 0.5 * (hover.plot.bottom - hover.plot.top));
    await page.mouse.move(x, y);
    const tip = page.locator('#tooltip');
    expect(await tip.isVisible()).toBe(true);
    const text = (await tip.textContent())!;
    for (const run of ['baseline', 'ccl-ai', 'fitnet']) expect(text).toContain(run);
    // the step shown is the middle of the x range, and the ccl-ai value equals its smoothed curve there
    const step = Number(/step (\d+)/.exec(text)![1]);
    expect(Math.abs(step - (hover.x.min + hover.x.max) / 2)).toBeLessThanOrEqual(1);
    const s = hover.series.find((q: { name: string }) => q.name === 'ccl-ai');
    const shown = s.smoothed[s.x.indexOf(step)];
    expect(text).toContain(String(Number(shown.toPrecision(4))));
    await page.mouse.move(0, 0);
    expect(await tip.isVisible()).toBe(false);
  });

  it('unticking a run removes its colour from every figure; ticking brings it back', async () => {
    const colour = rgbOf(report.colours['ccl-ai']!);
    const fig = page.locator('figure[data-hover="loss-cls-v"] svg');
    await fig.scrollIntoViewIfNeeded();
    const before = pixelCounts(decodePng(await fig.screenshot()), [colour]).matching[0]!;
    expect(before).toBeGreaterThan(30);
    await page.locator('input.run-toggle[value="ccl-ai"]').uncheck();
    const hiddenSeries = await page
      .locator('g.series[data-run="ccl-ai"]')
      .evaluateAll((els) => els.map((e) => (globalThis as unknown as { getComputedStyle(e: DomElement): { display: string } }).getComputedStyle(e).display));
    expect(hiddenSeries.length).toBeGreaterThanOrEqual(5);
    expect(new Set(hiddenSeries)).toEqual(new Set(['none']));
    const after = pixelCounts(decodePng(await fig.screenshot()), [colour]).matching[0]!;
    expect(after).toBeLessThan(before / 5); // only the dimmed legend swatch is left
    await page.locator('input.run-toggle[value="ccl-ai"]').check();
    expect(pixelCounts(decodePng(await fig.screenshot()), [colour]).matching[0]!).toBe(before);
    expect(problems).toEqual([]);
  });
});
