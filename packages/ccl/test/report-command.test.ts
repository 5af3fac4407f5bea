import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateRecognition, writeRunEvaluation } from '@ccl/eval';
import { decodePngSize } from './helpers/png';
import { ccl } from './helpers/run-cli';

const classNames = ['Drumming', 'Typing', 'Surfing'];
const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const videoLabels = { a: 0, b: 0, c: 1, d: 1, e: 2, f: 2 };

/** An evaluated run folder: run.json, a short step log, recognition results (class k right when k < right). */
function makeRun(root: string, method: string, right: number): string {
  const dir = path.join(root, method);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ method, seed: 1 }));
  fs.writeFileSync(path.join(dir, 'steps.jsonl'), [1, 2, 3].map((s) => JSON.stringify({ step: s, loss: 3 / s, cls_v: 2 / s })).join('\n'));
  const scores = ids.map((id) => {
    const label = videoLabels[id as keyof typeof videoLabels];
    return [0, 1, 2].map((k) => (label < right ? (k === label ? 1 : 0) : k === (label + 1) % 3 ? 1 : 0));
  });
  writeRunEvaluation(dir, { recognition: evaluateRecognition({ windowScores: scores, videoIds: ids, videoLabels, classNames }) });
  return dir;
}

describe('ccl report', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-report-cli-'));
  const base = makeRun(root, 'baseline', 1); // Drumming right
  const ccl3 = makeRun(root, 'ccl', 3); // all right
  const scores = path.join(root, 'agreement.json');
  fs.writeFileSync(
    scores,
    JSON.stringify([
      ['Surfing', 0.1],
      ['Drumming', 0.9],
      ['Typing', 0.4],
    ]),
  );
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const readReport = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));

  it('splits classes by agreement scores, takes a baseline and curve options, writes report.html, no PNG without --png', async () => {
    const out = path.join(root, 'out');
    const r = await ccl(
      'report',
      base,
      ccl3,
      '--out',
      out,
      '--agreement',
      scores,
      '--thresholds',
      '0.6,0.3',
      '--baseline',
      'baseline',
      '--smoothing',
      '0.5',
      '--log-scale',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${path.join(out, 'report.html')}`);
    const report = readReport(out);
    expect(report.classSplit.levels).toEqual(['correlated', 'weak', 'not']);
    expect(report.agreementSource).toBe('agreement.json');
    expect(report.curves).toEqual({ smoothing: 0.5, logScale: true });
    const t = report.subsetTable;
    expect(t.baseline).toBe('baseline');
    const notCorrelated = t.subsets.findIndex((s: { name: string }) => s.name === 'not correlated');
    expect(t.rows[1].gain[notCorrelated]).toBeCloseTo(1, 12); // Surfing: baseline wrong, ccl right
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toEqual([]);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Semantic gap</h2>');
    expect(html).toContain('Drumming');
  });

  it('--rank-split, and --class-split reusing a report.json', async () => {
    const ranked = path.join(root, 'ranked');
    expect((await ccl('report', base, ccl3, '--out', ranked, '--agreement', scores, '--rank-split', '0,2', '--png')).code).toBe(0);
    expect(readReport(ranked).classSplit.levels).toEqual(['weak', 'weak', 'not']);
    const reused = path.join(root, 'reused');
    expect((await ccl('report', base, ccl3, '--out', reused, '--class-split', path.join(ranked, 'report.json'), '--png')).code).toBe(0);
    expect(readReport(reused).classSplit).toEqual(readReport(ranked).classSplit);
    const figures = (ext: string) =>
      fs
        .readdirSync(reused)
        .filter((f) => f.endsWith(ext))
        .map((f) => f.slice(0, -ext.length))
        .sort();
    expect(figures('.png')).toEqual(figures('.svg')); // with --png, a PNG of every figure
    expect(figures('.png')).toContain('subset-accuracy');
    for (const f of readReport(reused).figures)
      expect(decodePngSize(fs.readFileSync(path.join(reused, f.png.file)))).toEqual({ width: 2 * f.width, height: 2 * f.height });
  });

  it('refuses bad flag values (exit 2) and inconsistent or wrong inputs (exit 1, one line naming the problem)', async () => {
    const out = path.join(root, 'bad');
    const badPair = await ccl('report', base, '--out', out, '--agreement', scores, '--thresholds', 'high');
    expect(badPair.code).toBe(2);
    expect(badPair.err).toMatch(/option '--thresholds <correlated,weak>' argument 'high' is invalid/);
    const cases: Array<[string[], RegExp]> = [
      [['--thresholds', '0.5,0.2'], /--thresholds and --rank-split need --agreement/],
      [['--agreement', scores, '--class-split', scores], /give --class-split or --agreement, not both/],
      [['--class-split', scores], /agreement.json is neither a class split/],
      [['--agreement', scores, '--baseline', 'nope'], /baseline 'nope' is not a run of this report \(runs: 'baseline', 'ccl'\)/],
      // without --agreement an unknown baseline was accepted silently, and so was a baseline with nothing to be relative to
      [['--baseline', 'nope'], /baseline 'nope' is not a run of this report \(runs: 'baseline', 'ccl'\)/],
      [['--baseline', 'baseline'], /a baseline \('baseline'\) is what subset gains are relative to: it needs a class split/],
    ];
    for (const [args, message] of cases) {
      const r = await ccl('report', base, ccl3, '--out', out, ...args);
      expect({ args, code: r.code, lines: r.err.trim().split('\n').length, named: message.test(r.err) }).toEqual({ args, code: 1, lines: 1, named: true });
    }
    expect(fs.existsSync(out)).toBe(false); // nothing written
  });

  it("refuses a folder of the user's in one line, untouched; --force writes the report's files and nothing else", async () => {
    const out = path.join(root, 'mine');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'summary.md'), 'my notes\n');
    const refused = await ccl('report', base, '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toBe(
      `ccl: ${out}: is not empty and not written by ccl report (summary.md); choose an empty or new folder, or pass --force to write into it (files of the same names are replaced, nothing else is removed)`,
    );
    expect(fs.readdirSync(out)).toEqual(['summary.md']);
    fs.writeFileSync(path.join(out, 'data.csv'), 'mine\n');
    const forced = await ccl('report', base, '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'data.csv'), 'utf8')).toBe('mine\n');
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/^# /);
  });
});
