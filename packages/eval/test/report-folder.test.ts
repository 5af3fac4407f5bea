import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeReport, type ReportInput } from '../src';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-report-folder-'));
const log = ['{"step": 1, "loss": 2}', '{"step": 2, "loss": 1.5}', '{"epoch": 0, "val_clip_acc": 0.25}'].join('\n');
const input = (extra: Partial<ReportInput> = {}): ReportInput => ({ title: 'A run', trainingLog: { source: 'steps.jsonl', text: log }, ...extra });
const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

describe('the report folder (ccl report --out)', () => {
  it("refuses a non-empty folder that holds no report, naming what is there; a user's files of the report's names survive", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'summary.md'), 'my own summary\n');
    fs.writeFileSync(path.join(dir, 'results.csv'), 'my,data\n');
    const before = snapshot(dir);
    await expect(writeReport(dir, input())).rejects.toThrow(
      `${dir}: is not empty and not written by ccl report (results.csv, summary.md); choose an empty or new folder, or pass --force to write into it`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('a rerun removes the figures of the previous report it does not write again, and nothing of the user', async () => {
    const dir = tmp();
    const first = await writeReport(dir, input({ raster: true }));
    expect(first.files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['loss-loss.svg', 'loss-loss.png', 'epoch-val-clip-acc.png']));
    fs.writeFileSync(path.join(dir, 'notes.md'), 'mine\n');
    fs.writeFileSync(path.join(dir, 'loss-loss.png.bak'), 'mine\n');
    // no PNGs and no epoch curve this time: those files of the first report go
    const second = await writeReport(dir, input({ raster: false, trainingLog: { source: 'steps.jsonl', text: log.split('\n').slice(0, 2).join('\n') } }));
    expect(second.removed.map((f) => path.basename(f)).sort()).toEqual(['epoch-val-clip-acc.png', 'epoch-val-clip-acc.svg', 'loss-loss.png']);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['.ccl-output.json', 'curves.csv', 'loss-loss.png.bak', 'loss-loss.svg', 'notes.md', 'report.html', 'report.json', 'results.csv', 'summary.md'].sort(),
    );
  });

  it('force writes into a folder that is not a report: files of the same names replaced, nothing else touched', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'summary.md'), 'my own summary\n');
    fs.writeFileSync(path.join(dir, 'data.csv'), 'my,data\n');
    await writeReport(dir, input(), { force: true });
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toMatch(/^# A run/);
    expect(fs.readFileSync(path.join(dir, 'data.csv'), 'utf8')).toBe('my,data\n');
  });
});
