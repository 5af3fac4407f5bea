import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Manifest } from '@ccl/data';
import { saveCheckpoint } from '@ccl/encoders/node';
import { createEncoder } from '@ccl/encoders';
import { evaluateStudentRun } from '../src';

describe('evaluateStudentRun', () => {
  const student = () => createEncoder('r2plus1d-18', { numClasses: 3, widthMultiplier: 1 / 16, frames: 4, inputSize: 16, seed: 3 });
  const manifest = (splits: string[]) =>
    ({
      schema: 'ccl-manifest',
      version: 1,
      dataset: 'tiny',
      classes: ['a', 'b', 'c'],
      samples: splits.map((split, i) => ({ id: `v${i}`, label: 'abc'[i % 3], split, video: `v${i}.mp4` })),
    }) as unknown as Manifest;

  /** A run folder whose best.ckpt holds `dict` as the student. */
  function runWith(dict: Record<string, tf.Tensor>): string {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-eval-'));
    const tensors = Object.fromEntries(Object.entries(dict).map(([k, v]) => [`student.${k}`, v]));
    saveCheckpoint(path.join(runDir, 'checkpoints', 'best.ckpt'), tensors, {
      format: 'ccl-checkpoint/1',
      architecture: 'tiny',
      epoch: 1,
      stepInEpoch: 0,
      globalStep: 1,
      bestMetric: null,
      config: {},
    });
    tf.dispose(Object.values(dict));
    return runDir;
  }

  it('says that the run has no test split (instead of a shape error deep in the metrics)', async () => {
    const s = student();
    const runDir = runWith(s.stateDict());
    s.dispose();
    await expect(evaluateStudentRun(runDir, manifest(['train', 'train', 'val']), path.join(runDir, 'cache'), { frames: 4, size: 16 }, student)).rejects.toThrow(
      `${runDir}: the run's manifest has no test split (no video with split 'test'), so there is nothing to evaluate`,
    );
  });

  it("names the checkpoint file when its student does not fit the run's model", async () => {
    const other = createEncoder('r2plus1d-18', { numClasses: 5, widthMultiplier: 1 / 16, frames: 4, inputSize: 16, seed: 3 });
    const runDir = runWith(other.stateDict());
    other.dispose();
    await expect(
      evaluateStudentRun(runDir, manifest(['train', 'test', 'train']), path.join(runDir, 'cache'), { frames: 4, size: 16 }, student),
    ).rejects.toThrow(`from ${path.join(runDir, 'checkpoints', 'best.ckpt')}`);
  });
});

afterAll(() => tf.disposeVariables());
