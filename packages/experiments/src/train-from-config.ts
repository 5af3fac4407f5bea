import * as path from 'node:path';
import {
  checkRunFolder,
  progressBarListener,
  readExperimentConfig,
  Trainer,
  type ExperimentConfig,
  type ProgressStream,
  type RunFolderIntent,
  type TrainerOptions,
  type TrainResult,
} from '@ccl/distill';
import { buildExperiment } from './build-experiment';
import { gitRevision } from './provenance';

/** Options of {@link trainFromConfigFile}: what to do with a run already in the folder, and where progress goes. */
export interface TrainFromConfigOptions extends Partial<RunFolderIntent> {
  /** Where the progress bar goes (default stderr; null: none). */
  progress?: ProgressStream | null;
  /** Told the Trainer's events (epochs, steps, validation), besides the bar. */
  onEvent?: TrainerOptions['onEvent'];
  /** The command line recorded in run.json. */
  command?: string;
  onWarning?: (message: string) => void;
}

/** The bar on `progress` (none for null) and `onEvent`, as one listener. */
function eventListener(progress: ProgressStream | null, onEvent: TrainerOptions['onEvent']): TrainerOptions['onEvent'] {
  const bar = progress ? progressBarListener(progress) : undefined;
  if (!bar || !onEvent) return bar ?? onEvent;
  return (event) => {
    bar(event);
    onEvent(event);
  };
}

/**
 * `ccl train`: reads the experiment config (JSON or YAML; its relative paths are relative to it), refuses a
 * run folder it may not use before loading any data, assembles the Trainer with `buildExperiment` and fits,
 * rendering its events as a progress bar and recording the code's revision (gitRevision) in run.json.
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
    onEvent: eventListener(o.progress === undefined ? process.stderr : o.progress, o.onEvent),
    runInfo: { configFile: path.resolve(configFile), ...(o.command ? { command: o.command } : {}), gitRevision: gitRevision() },
  });
  try {
    return { config, result: await trainer.fit() };
  } finally {
    trainer.dispose();
  }
}
