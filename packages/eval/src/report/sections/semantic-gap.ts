/** The semantic-gap section: each method's mean per-class top-1 over the class split's subsets (table and figure). */
import { type SubsetAccuracyTable, subsetAccuracyTable, subsetsOfSplit } from '../../semantic-gap';
import { svgBarChart } from '../svg-charts';
import type { ReportInput, ReportJson } from '../types';
import type { SectionContext } from './figure-set';

const pct = (a: number | null) => (a === null ? null : 100 * a);

/** The subset table (null without a class split or recognition results); adds its figure. */
export function semanticGapSection(input: ReportInput, recognition: ReportJson['recognition'], ctx: SectionContext): SubsetAccuracyTable | null {
  const methods = Object.entries(recognition);
  if (!input.classSplit || !methods.length) return null;
  const table = subsetAccuracyTable(
    methods.map(([method, r]) => ({ method, perClassAccuracy: r.perClassAccuracy })),
    subsetsOfSplit(input.classSplit),
    input.baseline,
  );
  const title = 'Top-1 accuracy per class subset';
  const svg = svgBarChart({
    title,
    xLabel: 'mean per-class top-1 (%)',
    categories: table.subsets.map((s) => `${s.name} (${s.numClasses})`),
    series: table.rows.map((r) => ({ name: r.method, colour: ctx.colourOf(r.method), values: r.accuracy.map(pct) })),
    xRange: [0, 100],
    width: 620,
  });
  ctx.figures.add('subset-accuracy', 'subset-accuracy', title, svg);
  return table;
}
