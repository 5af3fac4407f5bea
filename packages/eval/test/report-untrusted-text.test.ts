import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateRecognition, splitClassesByAgreement, writeReport, type ReportJson } from '../src';

/** Cells of a CSV document (RFC 4180: quoted fields, doubled quotes), row by row. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else cell += c;
  }
  return rows;
}

// Names a crafted run folder can carry: a spreadsheet formula, HTML, a Markdown link
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const HTML = '<img src=x onerror=alert(1)>';
const LINK = '[click](javascript:alert(1))';
const classNames = [HTML, '@SUM(A1:A2)', `\\${LINK}`];
const ids = ['v0', 'v1', 'v2'];
const recognition = evaluateRecognition({
  windowScores: [
    [2, 0, 0],
    [0, 1, 0],
    [1, 0, 0],
  ],
  videoIds: ids,
  videoLabels: { v0: 0, v1: 1, v2: 2 },
  classNames,
  ks: [1],
});
const trainingLog = ['{"step": 1, "loss": -0.5, "<script>alert(1)</script>": 0.25}', '{"step": 2, "loss": -0.75, "<script>alert(1)</script>": 0.5}'].join('\n');

describe('a report over crafted names', () => {
  let dir: string;
  let report: ReportJson;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-report-names-'));
    report = (
      await writeReport(dir, {
        title: `Runs ${HTML}`,
        notes: ['<script>alert(2)</script>', `line one\n# not a heading`],
        recognition: { [FORMULA]: recognition, '+1+1': recognition },
        classSplit: splitClassesByAgreement([0.9, 0.4, 0.1]),
        agreementSource: '<b>the teacher</b>',
        runs: [
          { run: FORMULA, method: '-2+3', seed: '@seed', metrics: { 'top-1': 0.5 } },
          { run: '+1+1', method: 'ccl', seed: -1, metrics: { 'top-1': 0.25 } },
        ],
        trainingLogs: { [`${FORMULA} run`]: { source: 'log.jsonl', text: trainingLog } },
      })
    ).report;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("results.csv and curves.csv: text that would start a formula gets a leading ', numbers stay numbers", () => {
    for (const name of ['results.csv', 'curves.csv']) {
      const rows = parseCsv(fs.readFileSync(path.join(dir, name), 'utf8'));
      const valueColumn = rows[0]!.indexOf('value');
      const isNumber = (cell: string) => cell !== '' && Number.isFinite(Number(cell));
      for (const row of rows.slice(1)) {
        for (const cell of row) if (!isNumber(cell)) expect(`${name}: ${cell}`).not.toMatch(/^\S+: [=+\-@\t\r]/);
        expect(isNumber(row[valueColumn]!)).toBe(true); // a number, as written
      }
    }
    const results = parseCsv(fs.readFileSync(path.join(dir, 'results.csv'), 'utf8'));
    expect(results).toContainEqual([`'${FORMULA}`, "'-2+3", "'@seed", 'top-1', String(report.recognition[FORMULA]!.topK['1'])]);
    expect(results).toContainEqual(["'+1+1", 'ccl', '-1', 'top-1', String(report.recognition['+1+1']!.topK['1'])]); // a numeric seed stays a number
    const curves = parseCsv(fs.readFileSync(path.join(dir, 'curves.csv'), 'utf8'));
    expect(curves).toContainEqual([`'${FORMULA} run`, 'step', '1', 'loss', '-0.5']); // a negative value stays a number
  });

  it('summary.md shows every name as text: no raw HTML, no link, no extra block', () => {
    const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(md).not.toMatch(/<(img|script|b)\b/);
    expect(md).not.toMatch(/(^|[^\\])\]\(javascript:/); // no unescaped link
    expect(md).not.toMatch(/^# not a heading/m);
    expect(md.split('\n')[0]).toBe('# Runs &lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('- &lt;script&gt;alert(2)&lt;/script&gt;');
    expect(md).toContain('- line one # not a heading');
    expect(md).toContain('(&lt;b&gt;the teacher&lt;/b&gt;)');
    expect(md).toContain('\\\\\\[click\\](javascript:alert(1))'); // the backslash and both brackets escaped
    expect(md).toContain('![&lt;script&gt;alert(1)&lt;/script&gt;](loss-script-alert-1-script.svg)');
  });
});
