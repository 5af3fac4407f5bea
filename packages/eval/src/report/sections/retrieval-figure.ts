/** The retrieval section's figure: R@K against K, one line per method. */
import { svgLineChart } from '../svg-charts';
import type { ReportJson } from '../types';
import type { SectionContext } from './figure-set';

const byNumber = (a: string, b: string) => Number(a) - Number(b);

export function addRecallAtKFigure(retrieval: ReportJson['retrieval'], ctx: SectionContext): void {
  const entries = Object.entries(retrieval);
  if (!entries.length) return;
  const ks = [...new Set(entries.flatMap(([, r]) => Object.keys(r.recallAtK)))].sort(byNumber).map(Number);
  const title = 'Retrieval: R@K';
  const svg = svgLineChart({
    title,
    xLabel: 'K (nearest training videos)',
    yLabel: 'R@K (%)',
    xTicks: ks,
    width: 390,
    height: 260,
    series: entries.map(([m, r]) => ({
      name: m,
      colour: ctx.colourOf(m),
      x: ks,
      y: ks.map((k) => (r.recallAtK[k] === undefined ? null : 100 * r.recallAtK[k]!)),
    })),
  });
  ctx.figures.add('recall-at-k', 'recall-at-k', title, svg);
}
