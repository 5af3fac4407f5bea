import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUTPUT_RECORD, OutputFolder } from '../src/node';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-output-'));
const record = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, OUTPUT_RECORD), 'utf8')) as { writer: string; files: string[] };
const put = (dir: string, files: Record<string, string>) => {
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
};
const output = (dir: string, files: Record<string, string>, force = false, writer = 'ccl report') => {
  const out = OutputFolder.open(dir, { writer, force });
  for (const [name, text] of Object.entries(files)) out.write(name, text);
  return out.finish();
};

describe('OutputFolder', () => {
  it('writes into a new or empty folder and records what it wrote', () => {
    const dir = path.join(tmp(), 'new');
    output(dir, { 'a.svg': 'A', 'summary.md': 'S' });
    expect(fs.readdirSync(dir).sort()).toEqual([OUTPUT_RECORD, 'a.svg', 'summary.md']);
    expect(record(dir)).toEqual({ format: 'ccl-output/1', writer: 'ccl report', files: ['a.svg', 'summary.md'] });
  });

  it('a rerun replaces its files and removes its own stale ones, and only those', () => {
    const dir = tmp();
    output(dir, { 'old-figure.svg': 'old', 'summary.md': 'S1' });
    put(dir, { 'notes.txt': 'mine', [path.join('extra', 'x.svg')]: 'mine' }); // the user's, added since
    const removed = output(dir, { 'summary.md': 'S2', 'new-figure.svg': 'new' });
    expect(removed).toEqual([path.join(dir, 'old-figure.svg')]);
    expect(fs.readdirSync(dir).sort()).toEqual([OUTPUT_RECORD, 'extra', 'new-figure.svg', 'notes.txt', 'summary.md']);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toBe('S2');
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(record(dir).files).toEqual(['summary.md', 'new-figure.svg']);
  });

  it('refuses a non-empty folder that is not ours, naming what is there and changing nothing; --force writes over same names only', () => {
    const dir = tmp();
    put(dir, { 'summary.md': 'my summary', 'results.csv': 'my data', [path.join('figs', 'f.png')]: 'png' });
    expect(() => OutputFolder.open(dir, { writer: 'ccl report' })).toThrow(
      `${dir}: is not empty and not written by ccl report (figs/, results.csv, summary.md); choose an empty or new folder, or pass --force to write into it (files of the same names are replaced, nothing else is removed)`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['figs', 'results.csv', 'summary.md']);
    output(dir, { 'summary.md': 'ours' }, true);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toBe('ours');
    expect(fs.readFileSync(path.join(dir, 'results.csv'), 'utf8')).toBe('my data');
    expect(record(dir).files).toEqual(['summary.md']);
    // ours from now on: a rerun without --force is allowed, and never removes results.csv
    output(dir, { 'report.html': 'R' });
    expect(fs.readdirSync(dir).sort()).toEqual([OUTPUT_RECORD, 'figs', 'report.html', 'results.csv']);
  });

  it('refuses a folder another writer recorded; a record naming files outside the folder is not ours', () => {
    const dir = tmp();
    output(dir, { 'student.json': '{}' }, false, 'ccl export');
    expect(() => OutputFolder.open(dir, { writer: 'ccl report' })).toThrow(
      `${dir}: is not empty and written by ccl export, not ccl report (${OUTPUT_RECORD}, student.json)`,
    );
    const root = tmp();
    const crafted = path.join(root, 'out');
    put(root, { 'precious.txt': 'keep me' });
    put(crafted, { [OUTPUT_RECORD]: JSON.stringify({ format: 'ccl-output/1', writer: 'ccl report', files: ['../precious.txt'] }) });
    expect(() => OutputFolder.open(crafted, { writer: 'ccl report' })).toThrow(/is not empty and not written by ccl report/);
    output(crafted, {}, true);
    expect(fs.readFileSync(path.join(root, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('lists each file in the record before writing it: an output that fails midway leaves nothing unlisted', () => {
    const dir = tmp();
    output(dir, { 'a.svg': 'A' });
    const out = OutputFolder.open(dir, { writer: 'ccl report' });
    out.write('b.svg', 'B');
    // killed here: the record lists the old output and what this one wrote so far
    expect(record(dir).files.sort()).toEqual(['a.svg', 'b.svg']);
    expect(() => out.write('../c.svg', 'C')).toThrow(/cannot write '\.\.\/c\.svg'/);
    expect(() => out.write(OUTPUT_RECORD, '{}')).toThrow(/cannot write/);
  });
});
