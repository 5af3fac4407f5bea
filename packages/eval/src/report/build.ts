/**
 * {@link buildReport}: a report in memory, composed of its sections (results, semantic gap, method
 * comparison, training curves and their figures). Every run keeps one colour in every figure.
 */
import { curvePoints } from './curves';
import { assignColours } from './palette';
import { resultRows } from './results';
import { FigureSet, type SectionContext } from './sections/figure-set';
import { methodComparisonSection } from './sections/method-comparison';
import { addPerClassFigure } from './sections/per-class-figure';
import { addRecallAtKFigure } from './sections/retrieval-figure';
import { runResultsSection } from './sections/run-results';
import { semanticGapSection } from './sections/semantic-gap';
import { parsedLogs, trainingCurvesSection } from './sections/training-curves';
import type { BuiltReport, ReportInput, ReportJson } from './types';

/** Builds `report.json`'s content, the SVG figures and the CSV rows (nothing written, nothing rasterised yet). */
export function buildReport(input: ReportInput): BuiltReport {
  const results = runResultsSection(input);
  const logs = parsedLogs(input);
  const colours = assignColours([
    ...(input.runs ?? []).flatMap((r) => (r.run ? [r.run] : [])),
    ...Object.keys(results.recognition),
    ...Object.keys(results.retrieval),
    ...logs.keys(),
    ...Object.keys(results.probes).map((m) => `${m} (probe)`),
  ]);
  const ctx: SectionContext = { figures: new FigureSet(input.raster ?? false), colourOf: (name) => colours.get(name)! };
  const classNames = input.classNames ?? Object.values(input.recognition ?? {})[0]?.classNames ?? [];
  addRecallAtKFigure(results.retrieval, ctx);
  addPerClassFigure(results, classNames, input.classSplit, ctx);
  const subsetTable = semanticGapSection(input, results.recognition, ctx);
  const curves = trainingCurvesSection(logs, input.curves, ctx);
  const json: ReportJson = {
    schema: 'ccl.report/2',
    title: input.title,
    notes: [...(input.notes ?? [])],
    colours: Object.fromEntries(colours),
    ...results,
    classSplit: input.classSplit ?? null,
    agreementSource: input.agreementSource ?? null,
    subsetTable,
    ...methodComparisonSection(input),
    curves,
    figures: ctx.figures.figures.map((f) => f.figure),
  };
  return {
    json,
    figures: ctx.figures.figures,
    curves: curvePoints(logs),
    results: resultRows(json, input.runs ?? []),
    classNames: [...classNames],
    runConfigs: { ...(input.runConfigs ?? {}) },
  };
}
