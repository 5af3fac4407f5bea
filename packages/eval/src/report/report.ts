/**
 * Run reports: a JSON summary (`report.json`), a Markdown summary (`summary.md`) and PNG figures, written
 * atomically into one folder. Accuracies, recalls and mAP are fractions in the JSON and percentages with one
 * decimal in the Markdown (as in the paper's tables).
 */
import * as path from 'node:path';
import type { ProbeResult } from '../probe';
import type { RecognitionResult } from '../recognition';
import type { RetrievalResult } from '../retrieval';
import { type ClassSplit, type SubsetAccuracyTable, subsetAccuracyTable, subsetsOfSplit } from '../semantic-gap';
import { horizontalBarChart, lineChart } from './charts';
import { type RunComparison, type RunMetrics, compareRuns } from './compare';
import { type TrainingLog, curvesOf, isLossCurveField, parseTrainingLog } from './training-log';
import { writeFileAtomicSync } from '@ccl/base/node';
import type { Bitmap } from './bitmap';

/** Everything a report can show; every part is optional. Maps are keyed by method / feature-set name. */
export interface ReportInput {
  title: string;
  /** Free-text lines shown under the title (e.g. which split chose the checkpoint). */
  notes?: string[];
  /** Class names (index = label); defaults to the recognition results' names. */
  classNames?: string[];
  recognition?: Readonly<Record<string, RecognitionResult>>;
  retrieval?: Readonly<Record<string, RetrievalResult>>;
  probes?: Readonly<Record<string, ProbeResult>>;
  /** Class split for the semantic-gap section; with `recognition` it yields the per-subset table. */
  classSplit?: ClassSplit;
  /** What the class split's agreement score is (shown in the Markdown), e.g. "audio-probe per-class accuracy". */
  agreementSource?: string;
  /** Method whose accuracy the subset table's gains are relative to. */
  baseline?: string;
  /** Runs for the method-comparison table (metrics are fractions, shown as mean ± std in %). */
  runs?: readonly RunMetrics[];
  /** JSONL training log: `{step, loss terms}` and/or `{epoch, metrics}` lines (or an already parsed log). */
  trainingLog?: { source: string; text: string } | TrainingLog;
}

/** One figure written by {@link writeReport}. */
export interface ReportFigure {
  file: string;
  title: string;
  width: number;
  height: number;
}

/** `report.json` (schema `ccl.report/1`). */
export interface ReportJson {
  schema: 'ccl.report/1';
  title: string;
  notes: string[];
  recognition: Record<string, { numVideos: number; topK: Record<string, number>; meanClassAccuracy: number | null; perClassAccuracy: (number | null)[] }>;
  retrieval: Record<string, { numQueries: number; numGallery: number; recallAtK: Record<string, number>; mAP: number | null }>;
  probes: Record<
    string,
    {
      numTrain: number;
      numTest: number;
      dims: number;
      l2: number;
      top1: number;
      trainTop1: number;
      iterations: number;
      converged: boolean;
      perClassAccuracy: (number | null)[];
    }
  >;
  classSplit: ClassSplit | null;
  agreementSource: string | null;
  subsetTable: SubsetAccuracyTable | null;
  comparison: RunComparison | null;
  figures: ReportFigure[];
}

/** Percent with one decimal ("57.5"); null → "–". */
export function formatPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(1);
}

/** Signed percent with one decimal ("+10.2", "-0.5"). */
export function formatGain(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);

/** Builds `report.json`'s content and the figures (not yet written). */
export function buildReport(input: ReportInput): { json: ReportJson; figures: { figure: ReportFigure; bitmap: Bitmap }[] } {
  const recognition: ReportJson['recognition'] = {};
  for (const [m, r] of Object.entries(input.recognition ?? {}))
    recognition[m] = { numVideos: r.numVideos, topK: { ...r.topK }, meanClassAccuracy: r.meanClassAccuracy, perClassAccuracy: [...r.perClassAccuracy] };
  const retrieval: ReportJson['retrieval'] = {};
  for (const [m, r] of Object.entries(input.retrieval ?? {}))
    retrieval[m] = { numQueries: r.numQueries, numGallery: r.numGallery, recallAtK: { ...r.recallAtK }, mAP: r.mAP };
  const probes: ReportJson['probes'] = {};
  for (const [m, p] of Object.entries(input.probes ?? {}))
    probes[m] = {
      numTrain: p.numTrain,
      numTest: p.numTest,
      dims: p.dims,
      l2: p.l2,
      top1: p.top1,
      trainTop1: p.trainTop1,
      iterations: p.iterations,
      converged: p.converged,
      perClassAccuracy: [...p.perClassAccuracy],
    };
  const recEntries = Object.entries(input.recognition ?? {});
  const subsetTable =
    input.classSplit && recEntries.length
      ? subsetAccuracyTable(
          recEntries.map(([method, r]) => ({ method, perClassAccuracy: r.perClassAccuracy })),
          subsetsOfSplit(input.classSplit),
          input.baseline,
        )
      : null;
  const comparison = input.runs && input.runs.length ? compareRuns(input.runs) : null;
  const classNames = input.classNames ?? recEntries[0]?.[1].classNames ?? [];
  const figures: { figure: ReportFigure; bitmap: Bitmap }[] = [];
  const add = (file: string, title: string, bitmap: Bitmap) => figures.push({ figure: { file, title, width: bitmap.width, height: bitmap.height }, bitmap });

  const retEntries = Object.entries(retrieval);
  if (retEntries.length) {
    const ks = [...new Set(retEntries.flatMap(([, r]) => Object.keys(r.recallAtK)))].sort(byNumber);
    add(
      'recall-at-k.png',
      'Retrieval R@K',
      lineChart({
        title: 'Retrieval: R@K',
        xLabel: 'K (nearest training videos)',
        yLabel: 'R@K (%)',
        xTicks: ks.map(Number),
        legend: 'bottom-right',
        series: retEntries.map(([m, r]) => ({ name: m, x: ks.map(Number), y: ks.map((k) => (r.recallAtK[k] === undefined ? null : 100 * r.recallAtK[k]!)) })),
      }),
    );
  }
  const perClassSeries = [
    ...recEntries.map(([m, r]) => ({ name: m, values: r.perClassAccuracy.map((a) => (a === null ? null : 100 * a)) })),
    ...Object.entries(probes).map(([m, p]) => ({ name: `${m} (probe)`, values: p.perClassAccuracy.map((a) => (a === null ? null : 100 * a)) })),
  ];
  if (perClassSeries.length) {
    const K = perClassSeries[0]!.values.length;
    const mark = (k: number) =>
      input.classSplit ? ` [${({ correlated: 'C', weak: 'W', not: 'N', unknown: '?' } as const)[input.classSplit.levels[k] ?? 'unknown']}]` : '';
    const cats = Array.from({ length: K }, (_, k) => `${classNames[k] ?? String(k)}${mark(k)}`);
    add(
      'per-class-accuracy.png',
      'Per-class accuracy',
      horizontalBarChart({ title: 'Per-class top-1 accuracy', xLabel: 'top-1 accuracy (%)', categories: cats, series: perClassSeries, xRange: [0, 100] }),
    );
  }
  if (input.trainingLog) {
    const log = 'text' in input.trainingLog ? parseTrainingLog(input.trainingLog.text, input.trainingLog.source) : input.trainingLog;
    const stepSeries = curvesOf(log.steps, (r) => r.step, isLossCurveField);
    const epochSeries = curvesOf(
      log.epochs,
      (r) => r.epoch,
      (k) => k !== 'lr',
    );
    if (stepSeries.length)
      add(
        'training-steps.png',
        'Training loss terms per step',
        lineChart({ title: 'Training: loss terms', xLabel: 'step', yLabel: 'loss', series: stepSeries }),
      );
    if (epochSeries.length)
      add(
        'training-epochs.png',
        'Metrics per epoch',
        lineChart({ title: 'Training: metrics per epoch', xLabel: 'epoch', yLabel: 'value', series: epochSeries }),
      );
  }
  const json: ReportJson = {
    schema: 'ccl.report/1',
    title: input.title,
    notes: [...(input.notes ?? [])],
    recognition,
    retrieval,
    probes,
    classSplit: input.classSplit ?? null,
    agreementSource: input.agreementSource ?? null,
    subsetTable,
    comparison,
    figures: figures.map((f) => f.figure),
  };
  return { json, figures };
}

/** Markdown summary of a report (tables in %, one decimal; figures linked by file name). */
export function renderMarkdown(r: ReportJson, classNames: readonly string[] = []): string {
  const out: string[] = [`# ${r.title}`, ''];
  for (const n of r.notes) out.push(`- ${n}`);
  if (r.notes.length) out.push('');
  const rec = Object.entries(r.recognition);
  if (rec.length) {
    const ks = [...new Set(rec.flatMap(([, v]) => Object.keys(v.topK)))].sort(byNumber);
    out.push('## Recognition (video level)', '', 'Softmax scores averaged over all windows of each video.', '');
    out.push(
      mdTable(
        ['method', 'videos', ...ks.map((k) => `top-${k} (%)`), 'mean class acc. (%)'],
        rec.map(([m, v]) => [m, String(v.numVideos), ...ks.map((k) => formatPercent(v.topK[k])), formatPercent(v.meanClassAccuracy)]),
      ),
      '',
    );
  }
  const ret = Object.entries(r.retrieval);
  if (ret.length) {
    const ks = [...new Set(ret.flatMap(([, v]) => Object.keys(v.recallAtK)))].sort(byNumber);
    out.push('## Retrieval', '', 'Queries rank the gallery by cosine similarity; hit at K if a same-class item is among the K nearest.', '');
    out.push(
      mdTable(
        ['method', 'queries', 'gallery', ...ks.map((k) => `R@${k} (%)`), 'mAP (%)'],
        ret.map(([m, v]) => [m, String(v.numQueries), String(v.numGallery), ...ks.map((k) => formatPercent(v.recallAtK[k])), formatPercent(v.mAP)]),
      ),
      '',
    );
  }
  const pr = Object.entries(r.probes);
  if (pr.length) {
    out.push('## Linear probes', '', 'Standardised features, multinomial logistic regression with L2 penalty λ (L-BFGS).', '');
    out.push(
      mdTable(
        ['features', 'train', 'test', 'dims', 'λ', 'top-1 (%)', 'train top-1 (%)', 'iterations', 'converged'],
        pr.map(([m, v]) => [
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
      ),
      '',
    );
  }
  if (r.classSplit) {
    const s = r.classSplit;
    const name = (k: number) => classNames[k] ?? String(k);
    out.push(
      '## Semantic gap',
      '',
      `Classes split by the teacher's per-class agreement score${r.agreementSource ? ` (${r.agreementSource})` : ''}: correlated if score ≥ ${s.thresholds.correlated}, weakly correlated if ≥ ${s.thresholds.weak}, otherwise not correlated.`,
      '',
    );
    out.push(
      mdTable(
        ['level', 'classes', 'names'],
        [
          ['correlated', String(s.correlated.length), s.correlated.map(name).join(', ')],
          ['weakly correlated', String(s.weak.length), s.weak.map(name).join(', ')],
          ['not correlated', String(s.not.length), s.not.map(name).join(', ')],
          ...(s.unknown.length ? [['no score', String(s.unknown.length), s.unknown.map(name).join(', ')]] : []),
        ],
      ),
      '',
    );
  }
  if (r.subsetTable) {
    const t = r.subsetTable;
    out.push('### Accuracy per class subset', '', `Mean per-class top-1 (%) over each subset${t.baseline ? `; gain relative to ${t.baseline}` : ''}.`, '');
    const header = ['method', ...t.subsets.map((s) => `${s.name} (${s.numClasses})`)];
    const rows = t.rows.map((row) => [row.method, ...row.accuracy.map(formatPercent)]);
    if (t.baseline) for (const row of t.rows) if (row.method !== t.baseline) rows.push([`${row.method} gain`, ...row.gain.map(formatGain)]);
    out.push(mdTable(header, rows), '');
  }
  if (r.comparison) {
    const c = r.comparison;
    out.push('## Method comparison', '', 'Mean ± sample standard deviation over seeds, in %.', '');
    out.push(
      mdTable(
        ['method', 'runs', ...c.metrics],
        c.rows.map((row) => [
          row.method,
          String(row.seeds.length),
          ...c.metrics.map((m) => {
            const s = row.stats[m]!;
            return s.mean === null ? '–' : `${formatPercent(s.mean)} ± ${formatPercent(s.std)}`;
          }),
        ]),
      ),
      '',
    );
  }
  if (r.figures.length) {
    out.push('## Figures', '');
    for (const f of r.figures) out.push(`![${f.title}](${f.file})`, '');
  }
  return out.join('\n');
}

/** Writes `report.json`, `summary.md` and the PNG figures into `outDir` (atomically, file by file). */
export function writeReport(outDir: string, input: ReportInput): { files: string[]; report: ReportJson } {
  const { json, figures } = buildReport(input);
  const files: string[] = [];
  for (const f of figures) {
    const p = path.join(outDir, f.figure.file);
    writeFileAtomicSync(p, f.bitmap.toPng());
    files.push(p);
  }
  const classNames = input.classNames ?? Object.values(input.recognition ?? {})[0]?.classNames ?? [];
  const jsonPath = path.join(outDir, 'report.json');
  writeFileAtomicSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  const mdPath = path.join(outDir, 'summary.md');
  writeFileAtomicSync(mdPath, renderMarkdown(json, classNames));
  files.push(jsonPath, mdPath);
  return { files, report: json };
}
