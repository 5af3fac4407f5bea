import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '@ccl/data/node';
import { resolveExperimentConfig } from '@ccl/distill';
import { evaluateStudentRun, type RecognitionResult, type RetrievalResult } from '@ccl/eval';
import { dataOf, studentFor } from './build-experiment';

/**
 * The final test of a run folder written by `ccl train` (evaluateStudentRun): its run.json names the
 * config, whose data paths are relative to the config file (run.json's `configFile`, else run.json).
 */
export async function evaluateRunFolder(runDir: string, checkpoint = 'best.ckpt'): Promise<{ recognition: RecognitionResult; retrieval: RetrievalResult }> {
  const runFile = path.join(runDir, 'run.json');
  if (!fs.existsSync(runFile)) throw new Error(`${runFile}: not found (is ${runDir} a run folder?)`);
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as { config: unknown; configFile?: string };
  const config = resolveExperimentConfig(run.config, runFile);
  const data = dataOf(config, runFile);
  const at = (p: string) => path.resolve(path.dirname(path.resolve(run.configFile ?? runFile)), p);
  const manifest = readManifest(at(data.manifest));
  return evaluateStudentRun(runDir, manifest, at(data.cacheDir), data, () => studentFor(config, manifest.classes.length), checkpoint);
}

/** The headline numbers of a run's final test (`ccl eval`'s output). */
export interface RunEvaluationSummary {
  run: string;
  checkpoint: string;
  top1: number;
  top5: number | undefined;
  recallAtK: Record<string, number>;
  mAP: number | null;
  videos: number;
}

export function summarizeRunEvaluation(
  run: string,
  checkpoint: string,
  r: { recognition: RecognitionResult; retrieval: RetrievalResult },
): RunEvaluationSummary {
  const { recognition, retrieval } = r;
  return {
    run,
    checkpoint,
    top1: recognition.top1,
    top5: recognition.topK['5'],
    recallAtK: retrieval.recallAtK,
    mAP: retrieval.mAP,
    videos: recognition.numVideos,
  };
}

/** One line: top-1, top-5 and R@1 in %, the number of test videos and where the results are. */
export function formatRunEvaluation(s: RunEvaluationSummary): string {
  const pc = (v: number | undefined) => `${(100 * (v ?? 0)).toFixed(1)}%`;
  return `top-1 ${pc(s.top1)} top-5 ${pc(s.top5)} R@1 ${pc(s.recallAtK['1'])} over ${s.videos} test videos; results in ${path.join(s.run, 'eval')}`;
}
