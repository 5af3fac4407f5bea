/**
 * Training logs: JSON Lines, one object per line, either per step `{step, <loss terms>...}` or per epoch
 * `{epoch, <metrics>...}`. A line with a numeric `step` is a step record (its x is `globalStep` when
 * present, as in @ccl/distill's `steps.jsonl`, else `step`); otherwise a line with `epoch` is an epoch
 * record (@ccl/distill's `epochs.jsonl`). Numeric fields become curves, except the counters in
 * {@link LOG_COUNTER_FIELDS}; other fields are ignored.
 */

/** Fields that index records rather than measure anything. */
export const LOG_COUNTER_FIELDS: readonly string[] = ['step', 'epoch', 'globalStep', 'steps'];

/** Parsed log: step records and epoch records, each with its numeric fields. */
export interface TrainingLog {
  /** `step` = the record's x (globalStep when logged, else step); `epoch` = the record's epoch, where logged. */
  steps: { step: number; epoch?: number; values: Record<string, number> }[];
  epochs: { epoch: number; values: Record<string, number> }[];
}

/** Parses JSONL text; `source` names the file in errors. Blank lines are skipped. */
export function parseTrainingLog(text: string, source = 'training log'): TrainingLog {
  const log: TrainingLog = { steps: [], epochs: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new Error(`@ccl/eval: ${source} line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`@ccl/eval: ${source} line ${i + 1} is not a JSON object`);
    const rec = obj as Record<string, unknown>;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(rec)) if (!LOG_COUNTER_FIELDS.includes(k) && typeof v === 'number' && Number.isFinite(v)) values[k] = v;
    if (typeof rec['step'] === 'number') {
      const step = typeof rec['globalStep'] === 'number' ? rec['globalStep'] : rec['step'];
      log.steps.push(typeof rec['epoch'] === 'number' ? { step, epoch: rec['epoch'], values } : { step, values });
    } else if (typeof rec['epoch'] === 'number') log.epochs.push({ epoch: rec['epoch'], values });
    else throw new Error(`@ccl/eval: ${source} line ${i + 1} has neither a numeric "step" nor "epoch" field`);
  });
  return log;
}

/** Merges logs (e.g. steps.jsonl and epochs.jsonl of one run). */
export function mergeTrainingLogs(...logs: TrainingLog[]): TrainingLog {
  return { steps: logs.flatMap((l) => l.steps), epochs: logs.flatMap((l) => l.epochs) };
}

/** Whether a field is plotted with the loss terms: not the learning rate, not a per-teacher missing count. */
export function isLossCurveField(key: string): boolean {
  return key !== 'lr' && !key.startsWith('missing.');
}

/** Curves of a set of records: one series per numeric field (first-appearance order), missing points null. */
export function curvesOf<R extends { values: Record<string, number> }>(
  records: readonly R[],
  xOf: (r: R) => number,
  include?: (key: string) => boolean,
): { name: string; x: number[]; y: (number | null)[] }[] {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r.values)))].filter((k) => (include ? include(k) : true));
  return keys.map((name) => ({ name, x: records.map(xOf), y: records.map((r) => (name in r.values ? r.values[name]! : null)) }));
}
