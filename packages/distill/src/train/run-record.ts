import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/base/node';
import type { ExperimentConfig } from '../config/experiment';

/** What a run is, as its run.json records it from the first write on. */
export interface RunIdentity {
  config: ExperimentConfig;
  /** The method's name. */
  method: string;
  /** The student's identity (architectureOf), as in the checkpoints. */
  architecture: string;
  /**
   * The caller's own fields: provenance (the code's `gitRevision`, the command line, the config file), and
   * whatever else it wants to find there later (the demo's class list and clip size, for `ccl export`).
   */
  info?: Record<string, unknown>;
}

/** How a run's checkpoint is chosen, in words, by validation policy. */
const SELECTION: Record<ExperimentConfig['validation']['policy'], string> = {
  test: 'checkpoint selected on the TEST split (the reference behaviour)',
  'held-out': 'checkpoint selected on a held-out split of the training set',
  none: 'no selection: last checkpoint',
};

/**
 * A run's run.json: what ran (config, method, model, seed, selection policy, backend, versions, the caller's
 * provenance) and where it stands (start, resume, finish). Each write keeps what the file already holds
 * (its `startedAt` above all) and is atomic. Its presence makes a folder a run (run-folder.ts).
 */
export class RunRecord {
  readonly file: string;

  constructor(
    outDir: string,
    private readonly identity: RunIdentity,
  ) {
    this.file = path.join(outDir, 'run.json');
  }

  /** Rewrites run.json with `fields` on top (`resumedFrom`, `finishedAt`, ...). */
  write(fields: Record<string, unknown>): void {
    const { config, method, architecture, info } = this.identity;
    const previous = fs.existsSync(this.file) ? JSON.parse(fs.readFileSync(this.file, 'utf8')) : {};
    const run = {
      ...previous,
      config,
      method,
      architecture,
      seed: config.seed,
      validationPolicy: config.validation.policy,
      selection: SELECTION[config.validation.policy],
      backend: tf.getBackend(),
      versions: { tfjsCore: tf.version_core, node: process.version },
      startedAt: previous.startedAt ?? new Date().toISOString(),
      ...info,
      ...fields,
    };
    writeFileAtomicSync(this.file, `${JSON.stringify(run, null, 2)}\n`);
  }
}
