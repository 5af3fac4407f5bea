/**
 * `results.csv`: every scalar result of a report in long format, one row per (run, metric): video top-k and
 * mean class accuracy, R@K and mAP, linear-probe top-1 and the per-subset accuracies of the semantic-gap
 * table. Values are fractions (as in report.json). `method` and `seed` are filled in for runs the report
 * knows them of (run folders), empty otherwise.
 */
import type { RunMetrics } from './compare';
import type { ReportJson, ResultRow } from './types';

export type { ResultRow };

/** The rows of results.csv for a report; `runs` give method and seed by run label. */
export function resultRows(r: ReportJson, runs: readonly RunMetrics[]): ResultRow[] {
  const known = new Map(runs.flatMap((m) => (m.run ? [[m.run, m] as const] : [])));
  const out: ResultRow[] = [];
  const row = (run: string, metric: string, value: number | null) =>
    out.push({ run, method: known.get(run)?.method ?? null, seed: known.get(run)?.seed ?? null, metric, value });
  for (const [run, v] of Object.entries(r.recognition)) {
    for (const [k, a] of Object.entries(v.topK)) row(run, `top-${k}`, a);
    row(run, 'mean class acc.', v.meanClassAccuracy);
  }
  for (const [run, v] of Object.entries(r.retrieval)) {
    for (const [k, a] of Object.entries(v.recallAtK)) row(run, `R@${k}`, a);
    row(run, 'mAP', v.mAP);
  }
  for (const [name, p] of Object.entries(r.probes)) row(name, 'probe top-1', p.top1);
  if (r.subsetTable)
    for (const t of r.subsetTable.rows) r.subsetTable.subsets.forEach((s, i) => row(t.method, `subset top-1: ${s.name}`, t.accuracy[i] ?? null));
  return out;
}
