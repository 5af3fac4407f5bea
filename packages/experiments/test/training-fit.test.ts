import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { atChance, finalTrainingCrossEntropy, formatAtChance, formatDiverged, formatResultsTable, type ExperimentRow } from '../src';

/** A run folder whose steps.jsonl holds `lines` (objects, or raw text lines). */
function runFolder(lines: (Record<string, unknown> | string)[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-training-fit-'));
  fs.writeFileSync(path.join(dir, 'steps.jsonl'), lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return dir;
}

const row = (label: string, seed: number, finalTrainCe: number | null, chance: boolean | null): ExperimentRow => ({
  label,
  seed,
  top1: 0.5,
  top5: 0.9,
  recall: { '1': 0.5, '5': 0.8, '10': 0.9 },
  mAP: 0.4,
  correlated: null,
  weak: null,
  notCorrelated: null,
  probeTop1: null,
  studentInitDigest: 'd',
  finalTrainCe,
  atChance: chance,
  diverged: null,
});

describe("finalTrainingCrossEntropy: how far a run's student fitted its labelled set", () => {
  it("averages cls_v over the last epoch's steps only, whatever the other terms", () => {
    const dir = runFolder([
      { epoch: 0, step: 0, globalStep: 1, loss: 9, cls_v: 2.3, 'audio.vm': 4.4 },
      { epoch: 0, step: 1, globalStep: 2, loss: 9, cls_v: 2.2 },
      { epoch: 1, step: 0, globalStep: 3, loss: 3, cls_v: 0.5, 'audio.vm': 1 },
      { epoch: 1, step: 1, globalStep: 4, loss: 3, cls_v: 0.3 },
      '',
    ]);
    expect(finalTrainingCrossEntropy(dir)).toBeCloseTo(0.4, 12);
  });

  it('is null without a step log or without cls_v', () => {
    expect(finalTrainingCrossEntropy(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-training-fit-')))).toBeNull();
    expect(finalTrainingCrossEntropy(runFolder([{ epoch: 0, step: 0, loss: 1 }]))).toBeNull();
  });

  it('names the file and the line of a broken log', () => {
    const dir = runFolder([{ epoch: 0, step: 0, cls_v: 1 }, '{"epoch": 0, "step"']);
    expect(() => finalTrainingCrossEntropy(dir)).toThrow(`${path.join(dir, 'steps.jsonl')} line 2 is not valid JSON`);
  });
});

describe('atChance and its report', () => {
  it('is at chance from 90% of ln C', () => {
    expect(atChance(2.32, 10)).toBe(true); // ccl-a seed 2 of the transfer regime's round 3
    expect(atChance(0.9 * Math.log(10), 10)).toBe(true);
    expect(atChance(0.9 * Math.log(10) - 1e-6, 10)).toBe(false);
    expect(atChance(1.0, 10)).toBe(false); // a slow learner, not one that learned nothing
    expect(atChance(1.0, 2)).toBe(true); // ln 2 = 0.69
  });

  it('lists the runs that learned nothing, and nothing when none did', () => {
    const rows = [row('baseline', 2, 0.41, false), row('ccl-a', 2, 2.321, true), row('ccl-a', 5, 2.306, true), row('pkt', 1, null, null)];
    expect(formatAtChance(rows)).toBe(
      'Did not learn (training cross-entropy over the last epoch at 90% of chance, ln C, or above): ccl-a seed 2 (2.32), ccl-a seed 5 (2.31). These runs count in the table as they ended.',
    );
    expect(formatAtChance([row('baseline', 1, 0.4, false)])).toBe('');
    const table = formatResultsTable(rows);
    expect(table).toMatch(/\| training CE, last epoch \|\n/);
    expect(table).toMatch(/\| ccl-a \| 2 \|.* \| 2\.31 ± 0\.01 \|/);
    expect(table).toMatch(/\| pkt \| 1 \|.* \| - \|$/);
  });

  it('lists the runs that diverged with their step, and nothing when none did', () => {
    const diverged = { ...row('ccl-a', 2, 2.32, true), diverged: { epoch: 16, step: 17, globalStep: 322 } };
    expect(formatDiverged([row('baseline', 2, 0.41, false), diverged])).toBe(
      'Diverged (a non-finite loss or gradient stopped training): ccl-a seed 2 (step 322). These runs count in the table with the checkpoint chosen on the held-out split before they diverged.',
    );
    expect(formatDiverged([row('baseline', 1, 0.4, false)])).toBe('');
  });
});
