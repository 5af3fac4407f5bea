import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTrainingLog } from '@ccl/eval';

/**
 * How far a run's student fitted its labelled set: its classification loss (`cls_v`, the student's
 * cross-entropy on the training batches, logged by every method) averaged over the steps of the last epoch
 * in the run folder's `steps.jsonl`. Null when the folder has no step log or no `cls_v`.
 *
 * A student that learned nothing ends near chance, ln C for C classes (2.30 for 10); one that fitted its
 * training clips ends far below it (round 3's baselines at ~0.4).
 */
export function finalTrainingCrossEntropy(runDir: string): number | null {
  const file = path.join(runDir, 'steps.jsonl');
  if (!fs.existsSync(file)) return null;
  const logged = parseTrainingLog(fs.readFileSync(file, 'utf8'), file).steps.flatMap(({ epoch, values }) => {
    const crossEntropy = values['cls_v'];
    return epoch === undefined || crossEntropy === undefined ? [] : [{ epoch, crossEntropy }];
  });
  if (logged.length === 0) return null;
  const last = Math.max(...logged.map((s) => s.epoch));
  const ofLast = logged.filter((s) => s.epoch === last).map((s) => s.crossEntropy);
  return ofLast.reduce((a, b) => a + b, 0) / ofLast.length;
}

/** The share of chance (ln C) at or above which a final training cross-entropy counts as "learned nothing". */
export const AT_CHANCE_SHARE = 0.9;

/** Whether a final training cross-entropy is at chance for `numClasses` classes (at least 90% of ln C). */
export function atChance(crossEntropy: number, numClasses: number): boolean {
  return crossEntropy >= AT_CHANCE_SHARE * Math.log(numClasses);
}
