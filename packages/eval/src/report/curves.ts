/**
 * Training curves of several runs: the loss terms per step and the metrics per epoch of every run's log,
 * in long format (one row per run, axis, x, term, value) for `curves.csv`, and the term lists the report
 * draws one small plot for each.
 */
import { type TrainingLog, isLossCurveField } from './training-log';

/** One value of one run's curve. `axis`: step records (x = global step) or epoch records (x = epoch). */
export interface CurvePoint {
  run: string;
  axis: 'step' | 'epoch';
  x: number;
  term: string;
  value: number;
}

/** Training logs by run name (insertion order = run order). */
export type RunLogs = ReadonlyMap<string, TrainingLog>;

/** Long-format rows: every numeric field of every record, runs in order, then step rows before epoch rows. */
export function curvePoints(logs: RunLogs): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const [run, log] of logs) {
    for (const r of log.steps) for (const [term, value] of Object.entries(r.values)) out.push({ run, axis: 'step', x: r.step, term, value });
    for (const r of log.epochs) for (const [term, value] of Object.entries(r.values)) out.push({ run, axis: 'epoch', x: r.epoch, term, value });
  }
  return out;
}

/** Loss terms over all runs' step records (first-appearance order; `lr` and `missing.*` left out). */
export function lossTerms(logs: RunLogs): string[] {
  return [...new Set([...logs.values()].flatMap((l) => l.steps.flatMap((r) => Object.keys(r.values))))].filter(isLossCurveField);
}

/** Metrics over all runs' epoch records (first-appearance order; `lr` left out). */
export function epochMetrics(logs: RunLogs): string[] {
  return [...new Set([...logs.values()].flatMap((l) => l.epochs.flatMap((r) => Object.keys(r.values))))].filter((k) => k !== 'lr');
}

/** Whether an epoch metric is an accuracy (a fraction the report shows in %). */
export function isAccuracyMetric(name: string): boolean {
  return /acc/i.test(name);
}

/** Readable title of an epoch metric. */
export function metricTitle(name: string): string {
  const known: Record<string, string> = {
    valClipAccuracy: 'held-out clip accuracy',
    testClipAccuracy: 'test clip accuracy (no held-out split)',
  };
  return known[name] ?? name;
}

/** One run's series of `term` on `axis` (points where the record has the term). */
export function seriesOf(log: TrainingLog, axis: 'step' | 'epoch', term: string, scale = 1): { x: number[]; y: number[] } {
  const recs = axis === 'step' ? log.steps.map((r) => ({ x: r.step, v: r.values })) : log.epochs.map((r) => ({ x: r.epoch, v: r.values }));
  const has = recs.filter((r) => term in r.v);
  return { x: has.map((r) => r.x), y: has.map((r) => r.v[term]! * scale) };
}
