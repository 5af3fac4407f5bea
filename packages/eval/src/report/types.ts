/**
 * The report's shared types: what a report is built from ({@link ReportInput}), what `report.json` holds
 * ({@link ReportJson}) and what the builder hands the writers ({@link BuiltReport}). Every report module
 * imports its types from here, so the builder, the section builders and the renderers (HTML, Markdown,
 * CSV) depend on this module and not on one another.
 */
import type { ProbeResult } from '../probe';
import type { RecognitionResult } from '../recognition';
import type { RetrievalResult } from '../retrieval';
import type { ClassSplit, SubsetAccuracyTable } from '../semantic-gap';
import type { BootstrapComparison } from '../stats/bootstrap';
import type { RunComparison, RunMetrics } from './compare';
import type { CurvePoint } from './curves';
import type { SvgFigure } from './svg-charts';
import type { TrainingLog } from './training-log';

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
  /**
   * Runs for the method-comparison table (metrics are fractions, shown in %: mean ± sample std over a method's
   * seeds; a method with one seed shows its value alone, no spread of one value).
   */
  runs?: readonly RunMetrics[];
  /**
   * The bootstrap CI of video top-1 over test videos (and seeds), as {@link bootstrapComparison} computed it
   * (the table the benchmark prints): shown with the method comparison.
   */
  bootstrap?: BootstrapComparison;
  /** Training logs by run name, overlaid in one small plot per loss term and per epoch metric. */
  trainingLogs?: Readonly<Record<string, TrainingLogInput>>;
  /** A single run's training log (shown as run "training"); `trainingLogs` takes several. */
  trainingLog?: TrainingLogInput;
  curves?: CurveOptions;
  /** Each run's configuration (run.json), shown in the HTML report. */
  runConfigs?: Readonly<Record<string, unknown>>;
  /**
   * Also write a PNG of every figure, rasterised from its SVG (default false). Needs the optional peer
   * dependencies `@resvg/resvg-wasm` and `dejavu-fonts-ttf`.
   */
  raster?: boolean;
}

/** What a figure shows. */
export type ReportFigureKind = 'recall-at-k' | 'per-class-accuracy' | 'subset-accuracy' | 'loss-term' | 'epoch-metric';

/** One figure written by `writeReport`: an SVG file (`width` x `height` px), and its PNG (at twice the size) when `png` is set. */
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
  /** The bootstrap CIs given with the input (null: none); percentage points. */
  bootstrap: BootstrapComparison | null;
  /** Smoothing weight and y scale the loss curves were drawn with (null: no training logs). */
  curves: { smoothing: number; logScale: boolean } | null;
  figures: ReportFigure[];
}

/** One row of `results.csv`: a scalar result of a run (`method` and `seed` where the report knows them). */
export interface ResultRow {
  run: string;
  method: string | null;
  seed: number | string | null;
  metric: string;
  value: number | null;
}

/** A figure before writing: its entry in `report.json` and its SVG (the PNG, where asked, is rasterised from it). */
export interface BuiltFigure {
  figure: ReportFigure;
  svg: SvgFigure;
}

/** Everything `writeReport` writes, in memory. */
export interface BuiltReport {
  json: ReportJson;
  figures: BuiltFigure[];
  curves: CurvePoint[];
  results: ResultRow[];
  classNames: string[];
  runConfigs: Record<string, unknown>;
}
