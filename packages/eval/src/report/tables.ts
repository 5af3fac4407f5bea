/**
 * The report's tables as data (heading, explanation, header, rows of display strings), built once from
 * `report.json` and rendered by both the Markdown summary and the HTML report. Accuracies, recalls and mAP
 * are shown in % with one decimal.
 */
import { bootstrapTableCells, resampledWhat } from '../stats/format';
import type { MetricStats } from './compare';
import type { ReportJson } from './types';

/** Percent with one decimal ("57.5"); null → "–". */
export function formatPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(1);
}

/** Signed percent with one decimal ("+10.2", "-0.5"). */
export function formatGain(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
}

/** Which table a {@link ReportTable} is. */
export type ReportTableId = 'recognition' | 'retrieval' | 'probes' | 'class-split' | 'subset-accuracy' | 'comparison' | 'bootstrap';

/** One table of a report. */
export interface ReportTable {
  id: ReportTableId;
  heading: string;
  /** 2: a section; 3: a subsection of the one before. */
  level: 2 | 3;
  intro: string;
  header: string[];
  rows: string[][];
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);

/** "mean ± std" in %; the mean alone from one value (whose std of 0 says nothing about the spread). */
function meanAndSpread(s: MetricStats): string {
  if (s.mean === null) return '–';
  return s.n < 2 || s.std === null ? formatPercent(s.mean) : `${formatPercent(s.mean)} ± ${formatPercent(s.std)}`;
}

/** The tables of a report, in the Markdown summary's order (sections without data are left out). */
export function reportTables(r: ReportJson, classNames: readonly string[] = []): ReportTable[] {
  const out: ReportTable[] = [];
  const rec = Object.entries(r.recognition);
  if (rec.length) {
    const ks = [...new Set(rec.flatMap(([, v]) => Object.keys(v.topK)))].sort(byNumber);
    out.push({
      id: 'recognition',
      heading: 'Recognition (video level)',
      level: 2,
      intro: 'Softmax scores averaged over all windows of each video.',
      header: ['method', 'videos', ...ks.map((k) => `top-${k} (%)`), 'mean class acc. (%)'],
      rows: rec.map(([m, v]) => [m, String(v.numVideos), ...ks.map((k) => formatPercent(v.topK[k])), formatPercent(v.meanClassAccuracy)]),
    });
  }
  const ret = Object.entries(r.retrieval);
  if (ret.length) {
    const ks = [...new Set(ret.flatMap(([, v]) => Object.keys(v.recallAtK)))].sort(byNumber);
    out.push({
      id: 'retrieval',
      heading: 'Retrieval',
      level: 2,
      intro: 'Queries rank the gallery by cosine similarity; hit at K if a same-class item is among the K nearest.',
      header: ['method', 'queries', 'gallery', ...ks.map((k) => `R@${k} (%)`), 'mAP (%)'],
      rows: ret.map(([m, v]) => [m, String(v.numQueries), String(v.numGallery), ...ks.map((k) => formatPercent(v.recallAtK[k])), formatPercent(v.mAP)]),
    });
  }
  const pr = Object.entries(r.probes);
  if (pr.length)
    out.push({
      id: 'probes',
      heading: 'Linear probes',
      level: 2,
      intro: 'Standardised features, multinomial logistic regression with L2 penalty λ (L-BFGS).',
      header: ['features', 'train', 'test', 'dims', 'λ', 'top-1 (%)', 'train top-1 (%)', 'iterations', 'converged'],
      rows: pr.map(([m, v]) => [
        m,
        String(v.numTrain),
        String(v.numTest),
        String(v.dims),
        String(v.l2),
        formatPercent(v.top1),
        formatPercent(v.trainTop1),
        String(v.iterations),
        v.converged ? 'yes' : 'no',
      ]),
    });
  if (r.classSplit) {
    const s = r.classSplit;
    const name = (k: number) => classNames[k] ?? String(k);
    out.push({
      id: 'class-split',
      heading: 'Semantic gap',
      level: 2,
      intro: `Classes split by the teacher's per-class agreement score${r.agreementSource ? ` (${r.agreementSource})` : ''}: correlated if score ≥ ${s.thresholds.correlated}, weakly correlated if ≥ ${s.thresholds.weak}, otherwise not correlated.`,
      header: ['level', 'classes', 'names'],
      rows: [
        ['correlated', String(s.correlated.length), s.correlated.map(name).join(', ')],
        ['weakly correlated', String(s.weak.length), s.weak.map(name).join(', ')],
        ['not correlated', String(s.not.length), s.not.map(name).join(', ')],
        ...(s.unknown.length ? [['no score', String(s.unknown.length), s.unknown.map(name).join(', ')]] : []),
      ],
    });
  }
  if (r.subsetTable) {
    const t = r.subsetTable;
    const rows = t.rows.map((row) => [row.method, ...row.accuracy.map(formatPercent)]);
    if (t.baseline) for (const row of t.rows) if (row.method !== t.baseline) rows.push([`${row.method} gain`, ...row.gain.map(formatGain)]);
    out.push({
      id: 'subset-accuracy',
      heading: 'Accuracy per class subset',
      level: 3,
      intro: `Mean per-class top-1 (%) over each subset${t.baseline ? `; gain relative to ${t.baseline}` : ''}.`,
      header: ['method', ...t.subsets.map((s) => `${s.name} (${s.numClasses})`)],
      rows,
    });
  }
  if (r.comparison) {
    const c = r.comparison;
    const oneSeed = c.rows.filter((row) => row.seeds.length === 1).length;
    const spread =
      oneSeed === c.rows.length
        ? 'One run per method: its values in % (one value has no spread over seeds).'
        : `Mean ± sample standard deviation over seeds, in %${oneSeed ? '; a method with one seed shows its value alone' : ''}.`;
    out.push({
      id: 'comparison',
      heading: 'Method comparison',
      level: 2,
      intro: `${spread}${r.bootstrap ? ' The bootstrap confidence intervals over test videos follow.' : ''}`,
      header: ['method', 'runs', ...c.metrics],
      rows: c.rows.map((row) => [row.method, String(row.seeds.length), ...c.metrics.map((m) => meanAndSpread(row.stats[m]!))]),
    });
  }
  if (r.bootstrap) {
    const b = r.bootstrap;
    const { header, rows } = bootstrapTableCells(b);
    out.push({
      id: 'bootstrap',
      heading: 'Bootstrap confidence intervals',
      level: r.comparison ? 3 : 2,
      intro: `Video top-1 (%) with its percentile confidence interval, and the paired difference from ${b.baseline}. ${resampledWhat(b)}.`,
      header,
      rows,
    });
  }
  return out;
}
