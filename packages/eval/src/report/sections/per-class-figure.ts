/**
 * The per-class figure: every method's and probe's top-1 accuracy per class as horizontal bars; with a class
 * split each class name is marked with its level ([C]orrelated, [W]eak, [N]ot, [?] no score).
 */
import type { ClassSplit } from '../../semantic-gap';
import { svgBarChart } from '../svg-charts';
import type { ReportJson } from '../types';
import type { SectionContext } from './figure-set';

const pct = (a: number | null) => (a === null ? null : 100 * a);
const LEVEL_MARK = { correlated: 'C', weak: 'W', not: 'N', unknown: '?' } as const;

export function addPerClassFigure(
  results: Pick<ReportJson, 'recognition' | 'probes'>,
  classNames: readonly string[],
  classSplit: ClassSplit | undefined,
  ctx: SectionContext,
): void {
  const series = [
    ...Object.entries(results.recognition).map(([m, r]) => ({ name: m, values: r.perClassAccuracy.map(pct) })),
    ...Object.entries(results.probes).map(([m, p]) => ({ name: `${m} (probe)`, values: p.perClassAccuracy.map(pct) })),
  ];
  if (!series.length) return;
  const mark = (k: number) => (classSplit ? ` [${LEVEL_MARK[classSplit.levels[k] ?? 'unknown']}]` : '');
  const categories = Array.from({ length: series[0]!.values.length }, (_, k) => `${classNames[k] ?? String(k)}${mark(k)}`);
  const title = 'Per-class top-1 accuracy';
  const svg = svgBarChart({
    title,
    xLabel: 'top-1 accuracy (%)',
    categories,
    series: series.map((s) => ({ ...s, colour: ctx.colourOf(s.name) })),
    xRange: [0, 100],
  });
  ctx.figures.add('per-class-accuracy', 'per-class-accuracy', title, svg);
}
