/**
 * Run folders. @ccl/distill's trainer writes `run.json` (method, seed, checkpoint selection, ...),
 * `steps.jsonl` and `epochs.jsonl`; this package adds `eval/recognition.json`, `eval/retrieval.json`,
 * `eval/val.json` (the reference's shape) and `eval/probe-<name>.json` ({@link writeRunEvaluation}).
 * {@link reportFromRunDirectories} turns any number of such folders into one report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProbeResult } from '../probe';
import type { RecognitionResult, ReferenceValJson } from '../recognition';
import type { RetrievalResult } from '../retrieval';
import type { ClassSplit } from '../semantic-gap';
import type { RunMetrics } from './compare';
import type { BootstrapComparison } from '../stats/bootstrap';
import type { CurveOptions, ReportInput, ReportJson, TrainingLogInput } from './types';
import { type WriteReportOptions, writeReport } from './write';
import { type TrainingLog, mergeTrainingLogs, parseTrainingLog } from './training-log';
import { writeFileAtomicSync } from '@ccl/base/node';
import { readJsonFile } from './read-json-file';

/** What {@link readRunDirectory} found in one run folder. */
export interface RunDirectory {
  dir: string;
  method: string;
  seed: number | string;
  /** run.json's `selection` (which split chose the checkpoint), when recorded. */
  selection: string | null;
  recognition: RecognitionResult | null;
  retrieval: RetrievalResult | null;
  probes: Record<string, ProbeResult>;
  trainingLog: TrainingLog | null;
  /** run.json as read (shown in the HTML report). */
  config: Record<string, unknown>;
}

function readSchema<T>(file: string, schema: string): T | null {
  if (!fs.existsSync(file)) return null;
  const obj = readJsonFile(file) as { schema?: unknown };
  if (typeof obj !== 'object' || obj === null || obj.schema !== schema)
    throw new Error(`@ccl/eval: ${file} has schema ${JSON.stringify(obj?.schema)}, expected "${schema}"`);
  return obj as T;
}

/** Writes a run's evaluation results into `<runDir>/eval/` (atomically); returns the files written. */
export function writeRunEvaluation(
  runDir: string,
  results: { recognition?: RecognitionResult; retrieval?: RetrievalResult; valJson?: ReferenceValJson; probes?: Record<string, ProbeResult> },
): string[] {
  const files: string[] = [];
  const put = (name: string, obj: unknown) => {
    const f = path.join(runDir, 'eval', name);
    writeFileAtomicSync(f, `${JSON.stringify(obj, null, 2)}\n`);
    files.push(f);
  };
  if (results.recognition) put('recognition.json', results.recognition);
  if (results.retrieval) put('retrieval.json', results.retrieval);
  if (results.valJson) put('val.json', results.valJson);
  for (const [name, p] of Object.entries(results.probes ?? {})) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`@ccl/eval: probe name '${name}' must match [A-Za-z0-9_.-]+ (it becomes a file name)`);
    put(`probe-${name}.json`, p);
  }
  return files;
}

/** Reads one run folder (run.json is required; everything else optional). */
export function readRunDirectory(dir: string): RunDirectory {
  const runFile = path.join(dir, 'run.json');
  if (!fs.existsSync(runFile)) throw new Error(`@ccl/eval: ${dir} is not a run folder (no run.json)`);
  const run = readJsonFile(runFile) as Record<string, unknown>;
  if (typeof run['method'] !== 'string') throw new Error(`@ccl/eval: ${runFile} has no string "method"`);
  const seed = run['seed'];
  if (typeof seed !== 'number' && typeof seed !== 'string') throw new Error(`@ccl/eval: ${runFile} has no "seed" (number or string)`);
  const logs: TrainingLog[] = [];
  for (const f of ['steps.jsonl', 'epochs.jsonl']) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) logs.push(parseTrainingLog(fs.readFileSync(p, 'utf8'), p));
  }
  const evalDir = path.join(dir, 'eval');
  const probes: Record<string, ProbeResult> = {};
  if (fs.existsSync(evalDir)) {
    for (const f of fs
      .readdirSync(evalDir)
      .filter((n) => /^probe-.+\.json$/.test(n))
      .sort()) {
      probes[f.slice(6, -5)] = readSchema<ProbeResult>(path.join(evalDir, f), 'ccl.probe/1')!;
    }
  }
  return {
    dir,
    method: run['method'],
    seed,
    selection: typeof run['selection'] === 'string' ? run['selection'] : null,
    recognition: readSchema<RecognitionResult>(path.join(evalDir, 'recognition.json'), 'ccl.recognition/1'),
    retrieval: readSchema<RetrievalResult>(path.join(evalDir, 'retrieval.json'), 'ccl.retrieval/1'),
    probes,
    trainingLog: logs.length ? mergeTrainingLogs(...logs) : null,
    config: run,
  };
}

/** Scalar metrics of a run for the comparison table: top-k, mean class accuracy, R@K, mAP. */
export function runMetrics(run: RunDirectory): RunMetrics {
  const metrics: Record<string, number | null> = {};
  if (run.recognition) {
    for (const [k, v] of Object.entries(run.recognition.topK)) metrics[`top-${k}`] = v;
    metrics['mean class acc.'] = run.recognition.meanClassAccuracy;
  }
  if (run.retrieval) {
    for (const [k, v] of Object.entries(run.retrieval.recallAtK)) metrics[`R@${k}`] = v;
    metrics['mAP'] = run.retrieval.mAP;
  }
  return { method: run.method, seed: run.seed, metrics };
}

/** Options of {@link reportFromRunDirectories}. */
export interface RunReportOptions {
  title?: string;
  classSplit?: ClassSplit;
  agreementSource?: string;
  baseline?: string;
  /** Extra probes (e.g. of the teacher features) shown with the runs' own. */
  probes?: Record<string, ProbeResult>;
  notes?: string[];
  /** Smoothing and y scale of the training curves. */
  curves?: CurveOptions;
  /** A PNG of every figure, rasterised from its SVG (default false; needs the optional rasteriser, see writeReport). */
  raster?: boolean;
  /** The bootstrap CIs of video top-1 (see bootstrapComparison), shown with the method comparison. */
  bootstrap?: BootstrapComparison;
  /** Write into a non-empty folder that holds no report (see writeReport). */
  force?: boolean;
  /** More files written into the report folder with the report (see writeReport). */
  extraFiles?: WriteReportOptions['extraFiles'];
}

/**
 * One report over several run folders: per-run recognition and retrieval (labelled `method` when a method
 * has one run, `method s<seed>` otherwise), the comparison table over seeds, every run's training curves
 * (overlaid, one colour per run in every figure) and run.json. Checkpoint-selection notes are listed.
 */
export async function reportFromRunDirectories(
  runDirs: readonly string[],
  outDir: string,
  options: RunReportOptions = {},
): Promise<{ files: string[]; removed: string[]; report: ReportJson }> {
  if (runDirs.length === 0) throw new Error('@ccl/eval: reportFromRunDirectories needs at least one run folder');
  const runs = runDirs.map(readRunDirectory);
  const perMethod = new Map<string, number>();
  for (const r of runs) perMethod.set(r.method, (perMethod.get(r.method) ?? 0) + 1);
  const label = (r: RunDirectory) => (perMethod.get(r.method) === 1 ? r.method : `${r.method} s${r.seed}`);
  const recognition: Record<string, RecognitionResult> = {};
  const retrieval: Record<string, RetrievalResult> = {};
  const probes: Record<string, ProbeResult> = { ...(options.probes ?? {}) };
  for (const r of runs) {
    if (r.recognition) recognition[label(r)] = r.recognition;
    if (r.retrieval) retrieval[label(r)] = r.retrieval;
    for (const [n, p] of Object.entries(r.probes)) probes[`${label(r)}: ${n}`] = p;
  }
  const labels = runs.map(label);
  const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
  if (duplicate !== undefined)
    throw new Error(
      `@ccl/eval: two run folders are both '${duplicate}' (same method and seed): ${runs
        .filter((r) => label(r) === duplicate)
        .map((r) => r.dir)
        .join(', ')}`,
    );
  if (options.baseline !== undefined) {
    if (!labels.includes(options.baseline))
      throw new Error(`@ccl/eval: baseline '${options.baseline}' is not a run of this report (runs: ${labels.map((l) => `'${l}'`).join(', ')})`);
    if (!options.classSplit) throw new Error(`@ccl/eval: a baseline ('${options.baseline}') is what subset gains are relative to: it needs a class split`);
  }
  const trainingLogs: Record<string, TrainingLogInput> = {};
  const runConfigs: Record<string, unknown> = {};
  for (const r of runs) {
    if (r.trainingLog) trainingLogs[label(r)] = r.trainingLog;
    runConfigs[label(r)] = { dir: r.dir, ...r.config };
  }
  const notes = [
    ...(options.notes ?? []),
    ...[...new Set(runs.map((r) => (r.selection ? `${label(r)}: ${r.selection}` : `${label(r)}: checkpoint selection not recorded`)))],
  ];
  const input: ReportInput = {
    title: options.title ?? `Report over ${runs.length} run${runs.length === 1 ? '' : 's'}`,
    notes,
    recognition,
    retrieval,
    probes,
    runs: runs.map((r) => ({ ...runMetrics(r), run: label(r) })),
    ...(options.classSplit ? { classSplit: options.classSplit } : {}),
    ...(options.agreementSource ? { agreementSource: options.agreementSource } : {}),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    trainingLogs,
    runConfigs,
    ...(options.curves ? { curves: options.curves } : {}),
    ...(options.raster === undefined ? {} : { raster: options.raster }),
    ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
  };
  return writeReport(outDir, input, { force: options.force ?? false, ...(options.extraFiles ? { extraFiles: options.extraFiles } : {}) });
}
