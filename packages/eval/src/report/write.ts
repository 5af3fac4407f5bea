/**
 * {@link writeReport}: a report written atomically (file by file) into one folder: `report.html` (one
 * self-contained page), an SVG per figure (and, where asked, a PNG rasterised from it), `report.json`,
 * `summary.md`, and long-format `curves.csv` and `results.csv`. Accuracies, recalls and mAP are fractions in
 * the JSON and CSV and percentages with one decimal in the Markdown and HTML (as in the paper's tables).
 */
import { OutputFolder } from '@ccl/base/node';
import { buildReport } from './build';
import { toCsv } from './csv';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { loadRasteriser } from './rasterise';
import type { ReportInput, ReportJson } from './types';

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
 * Writes the report into `outDir` (atomically, file by file): the SVG figures (and their PNGs where
 * `input.raster` asks for them; the rasteriser is loaded first, so a missing one fails before anything is
 * written), `report.json`,
 * `summary.md`, `curves.csv`, `results.csv` and `report.html`. The folder must be new, empty, or hold an
 * earlier report (its record `.ccl-output.json`, see @ccl/base's OutputFolder), unless `force`; the earlier
 * report's files that this one does not write again (stale figures) are removed, and nothing else. Returns
 * the files written and the earlier report's files removed.
 */
export async function writeReport(
  outDir: string,
  input: ReportInput,
  options: WriteReportOptions = {},
): Promise<{ files: string[]; removed: string[]; report: ReportJson }> {
  const built = buildReport(input);
  const rasterise = built.figures.some((f) => f.figure.png) ? await loadRasteriser() : null;
  const folder = OutputFolder.open(outDir, { writer: 'ccl report', force: options.force ?? false });
  const files: string[] = [];
  const put = (name: string, content: string | Uint8Array) => files.push(folder.write(name, content));
  for (const f of built.figures) {
    put(f.figure.file, f.svg.svg);
    if (f.figure.png && rasterise) put(f.figure.png.file, rasterise(f.svg.svg));
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
