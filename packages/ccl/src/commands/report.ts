import * as path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  type ClassSplit,
  DEFAULT_CORRELATION_THRESHOLDS,
  readAgreementScoresFile,
  readClassSplitFile,
  readRunDirectory,
  reportFromRunDirectories,
  splitClassesByAgreement,
  splitClassesByRank,
} from '@ccl/eval';
import { parseFraction } from '../cli-options';

/** `a,b`: two numbers (thresholds or counts), checked by `check`. */
function numberPair(expected: string, check: (n: number) => boolean) {
  return (value: string): [number, number] => {
    const parts = value.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
    if (parts.length !== 2 || !parts.every((n) => Number.isFinite(n) && check(n))) throw new InvalidArgumentError(`expected ${expected}, got '${value}'`);
    return [parts[0]!, parts[1]!];
  };
}

interface ReportOptions {
  out: string;
  title?: string;
  baseline?: string;
  classSplit?: string;
  agreement?: string;
  thresholds?: [number, number];
  rankSplit?: [number, number];
  agreementSource?: string;
  smoothing?: number;
  logScale?: boolean;
  png: boolean;
}

/** The class split the options ask for (none, from a file, or from agreement scores), with its source text. */
function classSplitOf(runs: string[], o: ReportOptions): { split: ClassSplit; source: string | undefined } | null {
  if (o.classSplit && o.agreement) throw new Error('give --class-split or --agreement, not both');
  if ((o.thresholds || o.rankSplit) && !o.agreement) throw new Error('--thresholds and --rank-split need --agreement');
  if (o.thresholds && o.rankSplit) throw new Error('give --thresholds or --rank-split, not both');
  const classNames = runs.map((r) => readRunDirectory(r).recognition?.classNames).find((c) => c !== undefined);
  if (o.classSplit) return { split: readClassSplitFile(path.resolve(o.classSplit), classNames?.length), source: o.agreementSource };
  if (!o.agreement) return null;
  if (!classNames) throw new Error('--agreement needs evaluated runs (eval/recognition.json) to know the class names');
  const scores = readAgreementScoresFile(path.resolve(o.agreement), classNames);
  const split = o.rankSplit
    ? splitClassesByRank(scores, { correlated: o.rankSplit[0], weak: o.rankSplit[1] })
    : splitClassesByAgreement(scores, o.thresholds ? { correlated: o.thresholds[0], weak: o.thresholds[1] } : DEFAULT_CORRELATION_THRESHOLDS);
  return { split, source: o.agreementSource ?? path.basename(o.agreement) };
}

/** `ccl report RUN_DIR... --out DIR`: the HTML/SVG/Markdown/CSV report over run folders. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('one report over evaluated run folders: report.html (self-contained), SVG figures (+ PNG), summary.md, report.json, curves.csv, results.csv')
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
    .option('--no-png', 'SVG figures only (no PNG copies)')
    .action((runs: string[], opts: ReportOptions) => {
      const dirs = runs.map((r) => path.resolve(r));
      const split = classSplitOf(dirs, opts);
      const { files } = reportFromRunDirectories(dirs, path.resolve(opts.out), {
        ...(opts.title ? { title: opts.title } : {}),
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        ...(split ? { classSplit: split.split, ...(split.source ? { agreementSource: split.source } : {}) } : {}),
        curves: { ...(opts.smoothing === undefined ? {} : { smoothing: opts.smoothing }), logScale: Boolean(opts.logScale) },
        raster: opts.png,
      });
      process.stdout.write(`${files.map((f) => `wrote ${f}`).join('\n')}\n`);
    });
}
