import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '@ccl/data';
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
