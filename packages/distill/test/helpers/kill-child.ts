// Child process of the SIGKILL resume test: trains the tiny CCL run with a checkpoint after every step and
// prints each finished global step; the parent kills it mid-epoch. Bundled by esbuild in the test.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '../../src';
import { TinyStudent, tinySource } from '../../../../tools/fixtures/tiny-training';

export async function runChild(outDir: string, config: Record<string, unknown>): Promise<void> {
  await tf.setBackend('cpu');
  const trainer = new Trainer({
    config,
    student: new TinyStudent(27, 6, 3),
    numClasses: 3,
    studentDim: 6,
    train: tinySource(24, 3, [2, 3, 3, 3]),
    outDir,
    progress: null,
    onStep: (s) => process.stdout.write(`step ${s.globalStep}\n`),
  });
  await trainer.fit();
}
