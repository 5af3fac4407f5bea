/**
 * The figures of one report as the section builders add them: each gets a file name unique in the report
 * (`stem`, `stem-2`, ...), and a PNG entry (twice the SVG's size) when the report has PNGs.
 */
import type { SvgFigure } from '../svg-charts';
import type { BuiltFigure, ReportFigureKind } from '../types';

/** A figure's PNG is rasterised at this zoom of its SVG (so a 390 x 260 SVG gives a 780 x 520 PNG). */
export const PNG_ZOOM = 2;

/** What a section builder needs besides its data: the figure list and every run's colour. */
export interface SectionContext {
  figures: FigureSet;
  /** The colour of a run / series name (the same in every figure). */
  colourOf: (name: string) => string;
}

export class FigureSet {
  readonly figures: BuiltFigure[] = [];
  private readonly usedStems = new Set<string>();

  /** `png`: whether every figure also gets a PNG file. */
  constructor(private readonly png: boolean) {}

  add(kind: ReportFigureKind, stem: string, title: string, svg: SvgFigure, term?: string): void {
    let base = stem;
    for (let i = 2; this.usedStems.has(base); i++) base = `${stem}-${i}`;
    this.usedStems.add(base);
    const png = this.png ? { file: `${base}.png`, width: svg.width * PNG_ZOOM, height: svg.height * PNG_ZOOM } : null;
    this.figures.push({
      figure: { kind, file: `${base}.svg`, png, title, width: svg.width, height: svg.height, ...(term === undefined ? {} : { term }) },
      svg,
    });
  }
}
