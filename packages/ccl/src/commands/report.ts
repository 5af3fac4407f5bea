import * as path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { classSplitForRuns, DEFAULT_CORRELATION_THRESHOLDS, reportFromRunDirectories, type ClassSplitChoice } from '@ccl/eval';
import { parseFraction } from '../cli-options';

/** `a,b`: two numbers (thresholds or counts), checked by `check`. */
function numberPair(expected: string, check: (n: number) => boolean) {
  return (value: string): [number, number] => {
    const parts = value.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
    if (parts.length !== 2 || !parts.every((n) => Number.isFinite(n) && check(n))) throw new InvalidArgumentError(`expected ${expected}, got '${value}'`);
    return [parts[0]!, parts[1]!];
  };
}

interface ReportOptions extends ClassSplitChoice {
  out: string;
  title?: string;
  baseline?: string;
  smoothing?: number;
  logScale?: boolean;
  png?: boolean;
  force?: boolean;
}

/** `ccl report RUN_DIR... --out DIR`: the HTML/SVG/Markdown/CSV report over run folders. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'one report over evaluated run folders: report.html (self-contained), SVG figures (PNGs with --png), summary.md, report.json, curves.csv, results.csv',
    )
    .argument('<runs...>', 'run folders (each with run.json and eval/)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--title <text>', 'report title')
    .option('--baseline <run>', "run (as labelled in the report: 'method', or 'method s<seed>' when a method has several) the subset gains are relative to")
    .option('--class-split <file>', 'class split for the semantic-gap section: a ccl.class-split/1 JSON or a report.json that has one')
    .option('--agreement <file>', 'per-class teacher agreement scores (JSON: [score...], [[className, score]...] or {"scores": [...]}) to split the classes by')
    .option(
      '--thresholds <correlated,weak>',
      `score thresholds for --agreement (default ${DEFAULT_CORRELATION_THRESHOLDS.correlated},${DEFAULT_CORRELATION_THRESHOLDS.weak})`,
      numberPair('two scores, e.g. 0.6,0.3', (n) => n >= 0),
    )
    .option(
      '--rank-split <correlated,weak>',
      'split by rank instead: the N best classes correlated, the next M weakly',
      numberPair('two counts, e.g. 15,15', (n) => Number.isInteger(n) && n >= 0),
    )
    .option('--agreement-source <text>', 'what the agreement score is (shown in the report)')
    .option('--smoothing <w>', 'EMA weight of the loss curves in [0, 1) (default: from the number of steps)', parseFraction)
    .option('--log-scale', 'log y axis for the loss curves')
    .option('--png', 'also a PNG of every figure, rasterised from its SVG (needs the optional packages @resvg/resvg-wasm and dejavu-fonts-ttf)')
    .option('--force', 'write into a non-empty folder that holds no ccl report (files of the same names are replaced, nothing else is removed)')
    .action(async (runs: string[], opts: ReportOptions) => {
      const dirs = runs.map((r) => path.resolve(r));
      const split = classSplitForRuns(dirs, opts);
      const { files, removed } = await reportFromRunDirectories(dirs, path.resolve(opts.out), {
        ...(opts.title ? { title: opts.title } : {}),
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        ...(split ? { classSplit: split.split, ...(split.source ? { agreementSource: split.source } : {}) } : {}),
        curves: { ...(opts.smoothing === undefined ? {} : { smoothing: opts.smoothing }), logScale: Boolean(opts.logScale) },
        raster: Boolean(opts.png),
        force: Boolean(opts.force),
      });
      process.stdout.write(`${[...files.map((f) => `wrote ${f}`), ...removed.map((f) => `removed ${f} (of the previous report)`)].join('\n')}\n`);
    });
}
