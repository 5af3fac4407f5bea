import * as path from 'node:path';
import { JsonlLog } from './jsonl-log';

/**
 * A run's two logs: `steps.jsonl` (a line per step: epoch, step, globalStep, lr, loss, its terms, missing
 * teacher rows) and `epochs.jsonl` (a line per epoch: lr, steps, validation). Appended as the run goes.
 */
export class RunLogs {
  readonly steps: JsonlLog;
  readonly epochs: JsonlLog;

  constructor(outDir: string) {
    this.steps = new JsonlLog(path.join(outDir, 'steps.jsonl'));
    this.epochs = new JsonlLog(path.join(outDir, 'epochs.jsonl'));
  }

  /**
   * Drops what was logged after the checkpoint a resume continues from (steps past `globalStep`, epochs from
   * `epoch` on), so that no step or epoch is logged twice.
   */
  resumeAt(epoch: number, globalStep: number): void {
    this.steps.truncate((r) => (r.globalStep as number) <= globalStep);
    this.epochs.truncate((r) => (r.epoch as number) < epoch);
  }
}
