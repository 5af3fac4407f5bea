// Public API of @ccl/eval: metrics (recognition, retrieval), linear probes, semantic-gap analysis, run
// comparisons and statistics, reports (HTML, SVG, Markdown, CSV; PNGs rasterised from the SVGs where asked)
// and the final evaluation of a run. The SVG writer, the report's section builders and the numeric kernels
// stay internal; the chart functions are public (SVG strings).
export { toMatrix, toLabels } from './matrix';
export type { Matrix, TypedMatrix, MatrixLike } from './matrix';
export {
  topKAccuracy,
  clipAccuracy,
  aggregateVideoScores,
  confusionMatrix,
  perClassAccuracy,
  evaluateRecognition,
  toReferenceValJson,
  accuracyFromValJson,
} from './recognition';
export type { ScoreKind, VideoScores, VideoPrediction, RecognitionResult, RecognitionInput, ReferenceValJson } from './recognition';
export { averageByGroup, l2NormalizeRows, cosineSimilarity, rankGallery, relevantRanks, evaluateRetrieval, perClassRecallAtK } from './retrieval';
export type { RetrievalResult, RetrievalInput } from './retrieval';
export type { LbfgsOptions, LbfgsResult } from './lbfgs';
export {
  fitStandardizer,
  applyStandardizer,
  softmaxRegressionLogits,
  softmaxRegressionLossAndGradient,
  DEFAULT_L2,
  fitSoftmaxRegression,
  predictSoftmaxRegression,
  linearProbe,
  summariseProbe,
  stratifiedSplit,
  groupHoldoutSplit,
  selectL2,
} from './probe';
export type { FeatureMatrix, Standardizer, SoftmaxRegression, ProbeOptions, ProbeResult, ProbeInput, ProbeSummary, L2Selection } from './probe';
export {
  DEFAULT_CORRELATION_THRESHOLDS,
  splitClassesByAgreement,
  splitClassesByRank,
  subsetsOfSplit,
  subsetAccuracy,
  subsetAccuracyTable,
} from './semantic-gap';
export type { CorrelationLevel, CorrelationThresholds, ClassSplit, ClassSubset, MethodPerClass, SubsetAccuracyTable } from './semantic-gap';
export { meanStd, compareRuns } from './report/compare';
export type { RunMetrics, MetricStats, RunComparison } from './report/compare';
export { parseTrainingLog, mergeTrainingLogs } from './report/training-log';
export type { TrainingLog } from './report/training-log';
export { buildReport } from './report/build';
export { renderMarkdown } from './report/markdown';
export { writeReport } from './report/write';
export { rasteriseSvg } from './report/rasterise';
export type { WriteReportOptions } from './report/write';
export type { ReportInput, ReportFigure, ReportFigureKind, ReportJson, BuiltReport, BuiltFigure, CurveOptions, TrainingLogInput } from './report/types';
export { renderHtml } from './report/html';
export { svgLineChart, svgBarChart } from './report/svg-charts';
export type { CurveSeries, SvgLineChartSpec, SvgBarChartSpec, SvgFigure, HoverData } from './report/svg-charts';
export { RUN_PALETTE, paletteColour, assignColours } from './report/palette';
export { smoothEma, defaultSmoothing } from './report/smoothing';
export { toCsv } from './report/csv';
export { curvePoints } from './report/curves';
export type { CurvePoint } from './report/curves';
export type { ResultRow } from './report/results';
export { readClassSplitFile, readAgreementScoresFile } from './report/class-split-file';
export { classSplitForRuns } from './report/class-split-choice';
export type { ClassSplitChoice } from './report/class-split-choice';
export { writeRunEvaluation, readRunDirectory, runMetrics, reportFromRunDirectories } from './report/run-directory';
export type { RunDirectory, RunReportOptions } from './report/run-directory';
export { percentile, percentileInterval } from './stats/percentile';
export { pairOutcomes } from './stats/paired-outcomes';
export type { VideoOutcomes, PairedOutcomes } from './stats/paired-outcomes';
export { bootstrapComparison, verdictOf } from './stats/bootstrap';
export type { BootstrapOptions, BootstrapComparison, BootstrapRow, BootstrapInterval, Verdict } from './stats/bootstrap';
export { formatBootstrapTable, formatBootstrapSummary, bootstrapTableCells } from './stats/format';
export type { BootstrapFormatOptions } from './stats/format';
export { evaluateStudentRun, windowOutputs } from './run/evaluate-run';
export type { ClipGeometry } from './run/evaluate-run';
