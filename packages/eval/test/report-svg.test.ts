import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  assignColours,
  defaultSmoothing,
  paletteColour,
  readAgreementScoresFile,
  readClassSplitFile,
  smoothEma,
  splitClassesByAgreement,
  svgLineChart,
  toCsv,
} from '../src';

describe('SVG figures', () => {
  it('escapes text and names, and uses a font stack with a generic fallback', () => {
    const { svg } = svgLineChart({
      title: 'a<b & "c"',
      xLabel: 'step',
      yLabel: 'loss',
      series: [{ name: 'run <1>', colour: '#0072b2', x: [0, 1], y: [1, 2] }],
    });
    expect(svg).toContain('>a&lt;b &amp; &quot;c&quot;</text>');
    expect(svg).toContain('data-run="run &lt;1&gt;"');
    expect(svg).not.toContain('<1>');
    expect(svg).toMatch(/font-family="[^"]*, sans-serif"/);
  });

  it('log axis: power-of-ten ticks; a term with values <= 0 stays linear and says so', () => {
    const series = [{ name: 'r', colour: '#000000', x: [0, 1, 2, 3], y: [1000, 100, 10, 1] }];
    const log = svgLineChart({ title: 't', xLabel: 'step', yLabel: 'loss', series, logY: true });
    expect(log.hover!.y.log).toBe(true);
    const ticks = [...log.svg.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['1', '10', '100', '1000']);
    // equal ratios are equal distances: the four points' y pixels are evenly spaced
    const ys = [...log.svg.matchAll(/<circle cx="[^"]+" cy="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(4);
    expect(ys[1]! - ys[0]!).toBeCloseTo(ys[3]! - ys[2]!, 1);
    const lin = svgLineChart({ title: 't', xLabel: 'step', yLabel: 'loss', series: [{ ...series[0]!, y: [1, 0, -1, 2] }], logY: true });
    expect(lin.hover!.y.log).toBe(false);
    expect(lin.logFellBack).toBe(true);
    expect(lin.svg).toContain('loss (linear: values ≤ 0)');
  });

  it('smoothing: bias-corrected EMA equals hand values; raw points stay in the hover data', () => {
    expect(smoothEma([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smoothEma([2, 4], 0.5);
    expect(s[0]).toBeCloseTo(2, 12); // (0.5·2) / (1 − 0.5)
    expect(s[1]).toBeCloseTo((0.25 * 2 + 0.5 * 4) / 0.75, 12);
    expect(() => smoothEma([1], 1)).toThrow(/smoothing weight must be in \[0, 1\)/);
    expect(defaultSmoothing(10)).toBe(0);
    expect(defaultSmoothing(200)).toBeCloseTo(0.88, 12);
    const chart = svgLineChart({
      title: 't',
      xLabel: 'step',
      yLabel: 'loss',
      smoothing: 0.5,
      series: [{ name: 'r', colour: '#000000', x: [0, 1], y: [2, 4] }],
    });
    expect(chart.hover!.series[0]!.y).toEqual([2, 4]);
    expect(chart.hover!.series[0]!.smoothed![1]).toBeCloseTo(s[1]!, 5);
  });

  it('a long run is thinned for drawing after smoothing over every step; the last step is kept', () => {
    const n = 10000;
    const x = Array.from({ length: n }, (_, i) => i + 1);
    const y = x.map((s) => 5 / Math.sqrt(s) + 0.3 * Math.sin(s));
    const chart = svgLineChart({ title: 'long', xLabel: 'step', yLabel: 'loss', smoothing: 0.95, series: [{ name: 'r', colour: '#000000', x, y }] });
    const h = chart.hover!.series[0]!;
    expect(h.x.length).toBeLessThanOrEqual(1500);
    expect(h.x.length).toBeGreaterThan(1000);
    expect(h.x[h.x.length - 1]).toBe(n);
    const full = smoothEma(y, 0.95);
    expect(h.smoothed![h.smoothed!.length - 1]).toBeCloseTo(full[n - 1]!, 5);
    const j = 500; // any kept point carries the smoothing over all steps up to it
    expect(h.smoothed![j]).toBeCloseTo(full[h.x[j]! - 1]!, 5);
    const segments = (chart.svg.match(/L/g) ?? []).length;
    expect(segments).toBeLessThan(2 * 1500); // raw + smoothed paths
    expect(chart.svg.length).toBeLessThan(120_000);
  });

  it('palette: 40 runs get 40 different colours, assigned in order and stable for repeated names', () => {
    const colours = Array.from({ length: 40 }, (_, i) => paletteColour(i));
    expect(new Set(colours).size).toBe(40);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    const m = assignColours(['b', 'a', 'b', 'c']);
    expect([...m]).toEqual([
      ['b', colours[0]],
      ['a', colours[1]],
      ['c', colours[2]],
    ]);
  });

  it('CSV: fields with commas, quotes and line breaks are quoted; rows must match the header', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1.5, null],
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n1.5,\n');
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(/CSV row 1 has 1 fields, the header 2/);
  });

  it("CSV: text that would start a formula gets a leading ' (then quoted as usual); numbers stay numbers", () => {
    expect(
      toCsv(
        ['a', 'b', 'c'],
        [
          ['=1+2', -3, '@x'],
          ['+cmd', '-y', '=HYPERLINK("u","v")'],
          ['\tx', 'a=b', 0],
        ],
      ),
    ).toBe(`a,b,c\n'=1+2,-3,'@x\n'+cmd,'-y,"'=HYPERLINK(""u"",""v"")"\n'\tx,a=b,0\n`);
  });
});

describe('class split and agreement files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-split-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  };

  it('reads a class split, or the one inside a report.json; names the file on bad input', () => {
    const split = splitClassesByAgreement([0.9, 0.4, 0.1]);
    expect(readClassSplitFile(file('split.json', split), 3)).toEqual(split);
    expect(readClassSplitFile(file('report.json', { schema: 'ccl.report/2', classSplit: split }))).toEqual(split);
    expect(() => readClassSplitFile(file('other.json', { schema: 'x' }))).toThrow(/other.json is neither a class split/);
    expect(() => readClassSplitFile(file('split4.json', split), 4)).toThrow(/split4.json splits 3 classes, the runs have 4/);
    expect(() => readClassSplitFile(file('broken.json', '{'))).toThrow(/broken.json is not valid JSON/);
  });

  it('reads agreement scores as a list, as [className, score] pairs (any order) or {scores}', () => {
    const names = ['A', 'B', 'C'];
    expect(readAgreementScoresFile(file('list.json', [0.5, null, 0.1]), names)).toEqual([0.5, null, 0.1]);
    expect(
      readAgreementScoresFile(
        file('pairs.json', [
          ['C', 0.1],
          ['A', 0.9],
          ['B', 0.3],
        ]),
        names,
      ),
    ).toEqual([0.9, 0.3, 0.1]);
    expect(readAgreementScoresFile(file('obj.json', { scores: [1, 0, 0] }), names)).toEqual([1, 0, 0]);
    expect(() => readAgreementScoresFile(file('short.json', [1, 0]), names)).toThrow(/short.json has 2 scores, the runs have 3 classes/);
    expect(() => readAgreementScoresFile(file('missing.json', [['A', 1]]), names)).toThrow(/missing.json has no score for classes B, C/);
    expect(() => readAgreementScoresFile(file('bad.json', [['A', 'x']]), names)).toThrow(/bad.json entry 0 is neither a score nor a \[className, score\] pair/);
  });
});
