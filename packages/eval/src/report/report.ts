/**
 * Run reports, written atomically into one folder: `report.html` (one self-contained page: tables, figures,
 * interactive curves, semantic gap, run configs), SVG figures (the primary output; a PNG copy of each for
 * raster use), `report.json`, `summary.md`, and long-format `curves.csv` and
 * `results.csv`. Accuracies, recalls and mAP are fractions in the JSON and CSV and percentages with one
 * decimal in the Markdown and HTML (as in the paper's tables). Every run keeps one colour in every figure.
 */
import type { ProbeResult } from '../probe';
import type { RecognitionResult } from '../recognition';
import type { RetrievalResult } from '../retrieval';
import { type ClassSplit, type SubsetAccuracyTable, subsetAccuracyTable, subsetsOfSplit } from '../semantic-gap';
import { horizontalBarChart, lineChart } from './charts';
import { type RunComparison, type RunMetrics, compareRuns } from './compare';
import { toCsv } from './csv';
import { type CurvePoint, curvePoints, epochMetrics, isAccuracyMetric, lossTerms, metricTitle, seriesOf } from './curves';
import { renderHtml } from './html';
import { assignColours, hexToRgb } from './palette';
import { type ResultRow, resultRows } from './results';
import { defaultSmoothing, smoothEma } from './smoothing';
import { type SvgFigure, finitePoints, slugOf, svgBarChart, svgLineChart } from './svg-charts';
import { reportTables } from './tables';
import { type TrainingLog, parseTrainingLog } from './training-log';
import { OutputFolder } from '@ccl/base/node';
import type { Bitmap } from './bitmap';

export { formatGain, formatPercent } from './tables';

/** A training log as JSONL text (`source` names it in errors) or already parsed. */
export type TrainingLogInput = { source: string; text: string } | TrainingLog;

/** How the training curves are drawn. */
export interface CurveOptions {
  /** EMA weight in [0, 1) for the per-step loss curves; default: chosen from the number of steps. */
  smoothing?: number;
  /** Log y axis for the loss curves (a term with values ≤ 0 stays linear). */
  logScale?: boolean;
}

/** Everything a report can show; every part is optional. Maps are keyed by method / run / feature-set name. */
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
  /** Training logs by run name, overlaid in one small plot per loss term and per epoch metric. */
  trainingLogs?: Readonly<Record<string, TrainingLogInput>>;
  /** A single run's training log (shown as run "training"); `trainingLogs` takes several. */
  trainingLog?: TrainingLogInput;
  curves?: CurveOptions;
  /** Each run's configuration (run.json), shown in the HTML report. */
  runConfigs?: Readonly<Record<string, unknown>>;
  /** Also write a PNG copy of every figure (default true). */
  raster?: boolean;
}

/** What a figure shows. */
export type ReportFigureKind = 'recall-at-k' | 'per-class-accuracy' | 'subset-accuracy' | 'loss-term' | 'epoch-metric';

/** One figure written by {@link writeReport}: an SVG file (`width` x `height` px), and a PNG copy when `png` is set. */
export interface ReportFigure {
  kind: ReportFigureKind;
  file: string;
  png: { file: string; width: number; height: number } | null;
  title: string;
  width: number;
  height: number;
  /** The loss term or epoch metric plotted (curve figures). */
  term?: string;
}

/** `report.json` (schema `ccl.report/2`). */
export interface ReportJson {
  schema: 'ccl.report/2';
  title: string;
  notes: string[];
  /** Colour of every run / series name, the same in all figures. */
  colours: Record<string, string>;
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
  /** Smoothing weight and y scale the loss curves were drawn with (null: no training logs). */
  curves: { smoothing: number; logScale: boolean } | null;
  figures: ReportFigure[];
}

/** A figure before writing: its SVG, and the bitmap of its PNG copy. */
export interface BuiltFigure {
  figure: ReportFigure;
  svg: SvgFigure;
  bitmap: Bitmap | null;
}

/** Everything {@link writeReport} writes, in memory. */
export interface BuiltReport {
  json: ReportJson;
  figures: BuiltFigure[];
  curves: CurvePoint[];
  results: ResultRow[];
  classNames: string[];
  runConfigs: Record<string, unknown>;
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);
const pct = (a: number | null) => (a === null ? null : 100 * a);

function parsedLogs(input: ReportInput): Map<string, TrainingLog> {
  const logs = new Map<string, TrainingLog>();
  const add = (name: string, l: TrainingLogInput) => logs.set(name, 'text' in l ? parseTrainingLog(l.text, l.source) : l);
  if (input.trainingLog) add('training', input.trainingLog);
  for (const [name, l] of Object.entries(input.trainingLogs ?? {})) add(name, l);
  return logs;
}

/** Builds `report.json`'s content, the figures, the CSV rows (nothing written yet). */
export function buildReport(input: ReportInput): BuiltReport {
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
  const logs = parsedLogs(input);
  const probeNames = Object.keys(probes).map((m) => `${m} (probe)`);
  const colours = assignColours([
    ...(input.runs ?? []).flatMap((r) => (r.run ? [r.run] : [])),
    ...Object.keys(recognition),
    ...Object.keys(retrieval),
    ...logs.keys(),
    ...probeNames,
  ]);
  const colourOf = (name: string) => colours.get(name)!;
  const raster = input.raster ?? true;
  const figures: BuiltFigure[] = [];
  const usedFiles = new Set<string>();
  const fileName = (stem: string) => {
    let f = stem;
    for (let i = 2; usedFiles.has(f); i++) f = `${stem}-${i}`;
    usedFiles.add(f);
    return f;
  };
  /** `drawBitmap` draws the PNG copy, only when the report has PNG copies (`raster`). */
  const add = (kind: ReportFigureKind, stem: string, title: string, svg: SvgFigure, drawBitmap: () => Bitmap, term?: string) => {
    const base = fileName(stem);
    const bitmap = raster ? drawBitmap() : null;
    const png = bitmap ? { file: `${base}.png`, width: bitmap.width, height: bitmap.height } : null;
    figures.push({
      figure: { kind, file: `${base}.svg`, png, title, width: svg.width, height: svg.height, ...(term === undefined ? {} : { term }) },
      svg,
      bitmap,
    });
  };

  const retEntries = Object.entries(retrieval);
  if (retEntries.length) {
    const ks = [...new Set(retEntries.flatMap(([, r]) => Object.keys(r.recallAtK)))].sort(byNumber).map(Number);
    const series = retEntries.map(([m, r]) => ({ name: m, x: ks, y: ks.map((k) => (r.recallAtK[k] === undefined ? null : 100 * r.recallAtK[k]!)) }));
    const title = 'Retrieval: R@K';
    add(
      'recall-at-k',
      'recall-at-k',
      title,
      svgLineChart({
        title,
        xLabel: 'K (nearest training videos)',
        yLabel: 'R@K (%)',
        xTicks: ks,
        width: 390,
        height: 260,
        series: series.map((s) => ({ ...s, colour: colourOf(s.name) })),
      }),
      () =>
        lineChart({
          title,
          xLabel: 'K (nearest training videos)',
          yLabel: 'R@K (%)',
          xTicks: ks,
          legend: 'bottom-right',
          series: series.map((s) => ({ ...s, colour: hexToRgb(colourOf(s.name)) })),
        }),
    );
  }
  const perClassSeries = [
    ...recEntries.map(([m, r]) => ({ name: m, values: r.perClassAccuracy.map(pct) })),
    ...Object.entries(probes).map(([m, p]) => ({ name: `${m} (probe)`, values: p.perClassAccuracy.map(pct) })),
  ];
  if (perClassSeries.length) {
    const K = perClassSeries[0]!.values.length;
    const mark = (k: number) =>
      input.classSplit ? ` [${({ correlated: 'C', weak: 'W', not: 'N', unknown: '?' } as const)[input.classSplit.levels[k] ?? 'unknown']}]` : '';
    const cats = Array.from({ length: K }, (_, k) => `${classNames[k] ?? String(k)}${mark(k)}`);
    const title = 'Per-class top-1 accuracy';
    add(
      'per-class-accuracy',
      'per-class-accuracy',
      title,
      svgBarChart({
        title,
        xLabel: 'top-1 accuracy (%)',
        categories: cats,
        series: perClassSeries.map((s) => ({ ...s, colour: colourOf(s.name) })),
        xRange: [0, 100],
      }),
      () =>
        horizontalBarChart({
          title,
          xLabel: 'top-1 accuracy (%)',
          categories: cats,
          series: perClassSeries.map((s) => ({ ...s, colour: hexToRgb(colourOf(s.name)) })),
          xRange: [0, 100],
        }),
    );
  }
  if (subsetTable) {
    const title = 'Top-1 accuracy per class subset';
    add(
      'subset-accuracy',
      'subset-accuracy',
      title,
      svgBarChart({
        title,
        xLabel: 'mean per-class top-1 (%)',
        categories: subsetTable.subsets.map((s) => `${s.name} (${s.numClasses})`),
        series: subsetTable.rows.map((r) => ({ name: r.method, colour: colourOf(r.method), values: r.accuracy.map(pct) })),
        xRange: [0, 100],
        width: 620,
      }),
      () =>
        horizontalBarChart({
          title,
          xLabel: 'mean per-class top-1 (%)',
          categories: subsetTable.subsets.map((s) => `${s.name} (${s.numClasses})`),
          series: subsetTable.rows.map((r) => ({ name: r.method, colour: hexToRgb(colourOf(r.method)), values: r.accuracy.map(pct) })),
          xRange: [0, 100],
        }),
    );
  }
  /**
   * The PNG copy of a curve figure: the smoothed values (as the SVG's solid lines; raw when `smoothing` is 0) on a
   * log10 axis when asked and every raw value is > 0 (the SVG's rule for falling back to linear).
   */
  const rasterCurve = (
    title: string,
    xLabel: string,
    yLabel: string,
    series: readonly { name: string; colour: string; x: number[]; y: number[] }[],
    smoothing = 0,
    logScale = false,
  ): Bitmap => {
    const points = series.map(finitePoints); // [x, y] per series
    const log = logScale && points.every((pts) => pts.every(([, y]) => y > 0));
    const label = logScale ? (log ? `${yLabel} (log10)` : `${yLabel} (linear: values <= 0)`) : yLabel;
    return lineChart({
      title,
      xLabel,
      yLabel: label,
      series: series.map((s, i) => {
        const y = points[i]!.map((p) => p[1]);
        const drawn = smoothing > 0 ? smoothEma(y, smoothing) : y;
        return { name: s.name, x: points[i]!.map((p) => p[0]), y: log ? drawn.map(Math.log10) : drawn, colour: hexToRgb(s.colour) };
      }),
    });
  };
  let curves: ReportJson['curves'] = null;
  if (logs.size) {
    const maxSteps = Math.max(0, ...[...logs.values()].map((l) => l.steps.length));
    const smoothing = input.curves?.smoothing ?? defaultSmoothing(maxSteps);
    const logScale = input.curves?.logScale ?? false;
    curves = { smoothing, logScale };
    for (const term of lossTerms(logs)) {
      const series = [...logs].flatMap(([run, log]) => {
        const s = seriesOf(log, 'step', term);
        return s.x.length ? [{ name: run, colour: colourOf(run), ...s }] : [];
      });
      add(
        'loss-term',
        `loss-${slugOf(term)}`,
        term,
        svgLineChart({ title: term, xLabel: 'step', yLabel: 'loss', series, smoothing, logY: logScale }),
        () => rasterCurve(term, 'step', 'loss', series, smoothing, logScale),
        term,
      );
    }
    for (const metric of epochMetrics(logs)) {
      const acc = isAccuracyMetric(metric);
      const series = [...logs].flatMap(([run, log]) => {
        const s = seriesOf(log, 'epoch', metric, acc ? 100 : 1);
        return s.x.length ? [{ name: run, colour: colourOf(run), ...s }] : [];
      });
      const title = `${metricTitle(metric)}${acc ? ' (%)' : ''}`;
      add(
        'epoch-metric',
        `epoch-${slugOf(metric)}`,
        title,
        svgLineChart({ title, xLabel: 'epoch', yLabel: acc ? 'accuracy (%)' : metric, series }),
        () => rasterCurve(title, 'epoch', acc ? 'accuracy (%)' : metric, series),
        metric,
      );
    }
  }
  const json: ReportJson = {
    schema: 'ccl.report/2',
    title: input.title,
    notes: [...(input.notes ?? [])],
    colours: Object.fromEntries(colours),
    recognition,
    retrieval,
    probes,
    classSplit: input.classSplit ?? null,
    agreementSource: input.agreementSource ?? null,
    subsetTable,
    comparison,
    curves,
    figures: figures.map((f) => f.figure),
  };
  return {
    json,
    figures,
    curves: curvePoints(logs),
    results: resultRows(json, input.runs ?? []),
    classNames: [...classNames],
    runConfigs: { ...(input.runConfigs ?? {}) },
  };
}

/**
 * Text for Markdown, shown as written: HTML's `&`, `<` and `>` as entities (a name like
 * `<img src=x onerror=...>` from a run folder never becomes HTML in a renderer), `\`, `[` and `]`
 * backslash-escaped (no links), line breaks as spaces (no new blocks).
 */
function markdownText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\[\]]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => markdownText(s).replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** Markdown summary of a report (tables in %, one decimal; figures linked by file name; every name escaped, see markdownText). */
export function renderMarkdown(r: ReportJson, classNames: readonly string[] = []): string {
  const out: string[] = [`# ${markdownText(r.title)}`, ''];
  for (const n of r.notes) out.push(`- ${markdownText(n)}`);
  if (r.notes.length) out.push('');
  for (const t of reportTables(r, classNames))
    out.push(`${'#'.repeat(t.level)} ${markdownText(t.heading)}`, '', markdownText(t.intro), '', mdTable(t.header, t.rows), '');
  if (r.figures.length) {
    out.push(
      '## Figures',
      '',
      'Interactive version (hover values, toggle runs): [report.html](report.html). Long-format data: `curves.csv`, `results.csv`.',
      '',
    );
    for (const f of r.figures) out.push(`![${markdownText(f.title)}](${f.file})`, '');
  }
  return out.join('\n');
}

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /**
   * Write into a non-empty folder that holds no report (default false: refused, naming what is there):
   * files of the report's names are replaced, nothing else is touched.
   */
  force?: boolean;
  /** More files (plain names) written into the report folder with the report and recorded as its own, e.g. the benchmark's bench.json. */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * Writes the report into `outDir` (atomically, file by file): the SVG figures (and PNG copies), `report.json`,
 * `summary.md`, `curves.csv`, `results.csv` and `report.html`. The folder must be new, empty, or hold an
 * earlier report (its record `.ccl-output.json`, see @ccl/base's OutputFolder), unless `force`; the earlier
 * report's files that this one does not write again (stale figures) are removed, and nothing else. Returns
 * the files written and the earlier report's files removed.
 */
export function writeReport(outDir: string, input: ReportInput, options: WriteReportOptions = {}): { files: string[]; removed: string[]; report: ReportJson } {
  const folder = OutputFolder.open(outDir, { writer: 'ccl report', force: options.force ?? false });
  const built = buildReport(input);
  const files: string[] = [];
  const put = (name: string, content: string | Uint8Array) => files.push(folder.write(name, content));
  for (const f of built.figures) {
    put(f.figure.file, f.svg.svg);
    if (f.figure.png && f.bitmap) put(f.figure.png.file, f.bitmap.toPng());
  }
  put('report.json', `${JSON.stringify(built.json, null, 2)}\n`);
  put('summary.md', renderMarkdown(built.json, built.classNames));
  put(
    'curves.csv',
    toCsv(
      ['run', 'axis', 'x', 'term', 'value'],
      built.curves.map((c) => [c.run, c.axis, c.x, c.term, c.value]),
    ),
  );
  put(
    'results.csv',
    toCsv(
      ['run', 'method', 'seed', 'metric', 'value'],
      built.results.map((r) => [r.run, r.method, r.seed, r.metric, r.value]),
    ),
  );
  put('report.html', renderHtml(built));
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) put(name, content);
  return { files, removed: folder.finish(), report: built.json };
}
