import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { toHost } from '@ccl/base';
import { loadCheckpoint, saveCheckpoint, groupByPrefix, withPrefix, type CheckpointMeta } from '../checkpoint/checkpoint';
import type { ExperimentConfig } from '../config/experiment';
import type { Method } from '../methods/method';
import type { Sgd } from '../optim/sgd';
import type { TrainableEncoder } from './types';

/** Where a checkpoint is in the run: what a resume continues from. */
export type CheckpointPosition = Omit<CheckpointMeta, 'format' | 'architecture' | 'config'>;

/** Everything a checkpoint holds: the student, the method's state (modules, memory banks), every optimiser. */
export interface TrainingState {
  student: TrainableEncoder;
  method: Method;
  optimizers: Readonly<Record<string, Sgd>>;
}

/** Student parameter names and shapes, hashed into a readable identity. */
export function architectureOf(encoderName: string, student: TrainableEncoder): string {
  const sd = student.stateDict();
  const sig = Object.entries(sd)
    .map(([k, v]) => `${k}:${v.shape.join('x')}`)
    .sort()
    .join(',');
  tf.dispose(Object.values(sd));
  let h = 2166136261;
  for (let i = 0; i < sig.length; i++) h = Math.imul(h ^ sig.charCodeAt(i), 16777619) >>> 0;
  return `${encoderName} (${Object.keys(sd).length} tensors, signature ${h.toString(16)})`;
}

/**
 * A run's `checkpoints/` folder: `latest.ckpt` (what a resume continues from), `best.ckpt` (the best
 * validation so far) and `epoch-NNNN.ckpt`, each written atomically with the model's identity and the config,
 * and restored only into the same model.
 */
export class RunCheckpoints {
  readonly dir: string;

  constructor(
    outDir: string,
    private readonly state: TrainingState,
    private readonly identity: { architecture: string; config: ExperimentConfig },
  ) {
    this.dir = path.join(outDir, 'checkpoints');
  }

  /** The file of `name`: 'latest', 'best', or the checkpoint after epoch `name` (1-based). */
  file(name: 'latest' | 'best' | number): string {
    return path.join(this.dir, typeof name === 'number' ? `epoch-${String(name).padStart(4, '0')}.ckpt` : `${name}.ckpt`);
  }

  private stateTensors(): Record<string, tf.Tensor> {
    const { student, method, optimizers } = this.state;
    const out: Record<string, tf.Tensor> = { ...withPrefix('student', student.stateDict()), ...withPrefix('method', method.stateDict()) };
    for (const [name, opt] of Object.entries(optimizers)) Object.assign(out, withPrefix(`optim.${name}`, opt.stateDict()));
    return out;
  }

  /** Writes the whole training state at `position` to the checkpoint `name` (atomically). */
  async save(name: 'latest' | 'best' | number, position: CheckpointPosition): Promise<void> {
    const tensors = this.stateTensors();
    try {
      await toHost(Object.values(tensors)); // the checkpoint writer reads synchronously
      saveCheckpoint(this.file(name), tensors, { format: 'ccl-checkpoint/1', ...this.identity, ...position });
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** Restores everything from a checkpoint written by a run of the same model; an error names the file. */
  restore(file: string): CheckpointMeta {
    const { student, method, optimizers } = this.state;
    const { meta, tensors } = loadCheckpoint(file, { architecture: this.identity.architecture });
    try {
      student.loadStateDict(groupByPrefix(tensors, 'student'), { strict: true });
      method.loadStateDict(groupByPrefix(tensors, 'method'));
      for (const [name, opt] of Object.entries(optimizers)) opt.loadStateDict(groupByPrefix(tensors, `optim.${name}`));
    } catch (err) {
      throw new Error(`${file}: cannot restore this run from the checkpoint: ${(err as Error).message}`, { cause: err });
    } finally {
      tf.dispose(Object.values(tensors));
    }
    return meta;
  }
}
