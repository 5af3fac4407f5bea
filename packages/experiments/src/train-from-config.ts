import * as path from 'node:path';
import {
  checkRunFolder,
  readExperimentConfig,
  Trainer,
  type ExperimentConfig,
  type RunFolderIntent,
  type TrainerOptions,
  type TrainResult,
} from '@ccl/distill';
import { buildExperiment } from './build-experiment';

/** Options of {@link trainFromConfigFile}: what to do with a run already in the folder, and where progress goes. */
export interface TrainFromConfigOptions extends Partial<RunFolderIntent> {
  /** Where the progress bar goes (the Trainer's default: stderr; null: none). */
  progress?: TrainerOptions['progress'];
  /** The command line recorded in run.json. */
  command?: string;
  onWarning?: (message: string) => void;
}

/**
 * `ccl train`: reads the experiment config (JSON or YAML; its relative paths are relative to it), refuses a
 * run folder it may not use before loading any data, assembles the Trainer with `buildExperiment` and fits.
 */
export async function trainFromConfigFile(
  configFile: string,
  outDir: string,
  o: TrainFromConfigOptions = {},
): Promise<{ config: ExperimentConfig; result: TrainResult }> {
  const config = readExperimentConfig(configFile);
  const runFolder = { resume: o.resume ?? false, force: o.force ?? false, allowConfigChange: o.allowConfigChange ?? false };
  checkRunFolder(path.resolve(outDir), config, runFolder); // fit() checks again under the folder's lock
  const experiment = buildExperiment(config, path.dirname(path.resolve(configFile)), { source: configFile, onWarning: o.onWarning });
  const trainer = new Trainer({
    ...experiment.trainer,
    outDir: path.resolve(outDir),
    ...runFolder,
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    runInfo: { configFile: path.resolve(configFile), ...(o.command ? { command: o.command } : {}) },
  });
  try {
    return { config, result: await trainer.fit() };
  } finally {
    trainer.dispose();
  }
}
