// Every method of the benchmark trains on WebGPU: three Trainer steps of each (tiny student, a features
// teacher and an online frame teacher) give the cpu backend's losses and weights. The losses' own sync
// reads are what WebGPU in Node cannot do (no synchronous readback): this finds any left on the step path.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '@ccl/backends';
import { Trainer } from '@ccl/distill';
import { TinyFrameTeacher, TinyStudent, tinySource } from '../../../../tools/fixtures/tiny-training';
import { relativeError } from '../../../../tools/fixtures/kernel-checks';

const METHODS = ['baseline', 'ccl', 'ccl-paper', 'fitnet', 'pkt', 'cor', 'rkd', 'crd', 'ifd', 'cmc', 'sp', 'vid'];
const CLASSES = 3;
const STEPS = 3;

beforeAll(async () => {
  await pickBackend({ force: 'webgpu' });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The losses and final weights of STEPS steps of `method` on the active backend. */
async function train(method: string): Promise<{ losses: number[]; weights: Float32Array[] }> {
  // in a tidy: the helpers' initial values are not disposed by their constructors (variables survive a tidy)
  let student!: TinyStudent;
  let frameTeacher!: TinyFrameTeacher;
  tf.tidy(() => {
    student = new TinyStudent(27, 6, CLASSES, 3);
    frameTeacher = new TinyFrameTeacher();
  });
  const losses: number[] = [];
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `ccl-webgpu-${method}-`));
  const trainer = new Trainer({
    config: {
      method,
      seed: 5,
      student: { encoder: 'tiny' },
      optimizer: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
      schedule: { kind: 'constant' },
      epochs: 1,
      batchSize: 4,
      validation: { policy: 'none' },
      ...(method === 'baseline'
        ? {}
        : {
            teachers: [
              { name: 'audio', modality: 'audio', dim: 6 },
              { name: 'image', modality: 'image', dim: 6 },
            ],
          }),
      ...(method === 'crd' || method === 'cmc' ? { kdOptions: { numNegatives: 8, embedDim: 4 } } : {}),
    },
    student,
    numClasses: CLASSES,
    studentDim: 6,
    train: tinySource(4 * STEPS, CLASSES, [2, 3, 3, 3]),
    outDir,
    onlineTeachers: { image: frameTeacher },
    progress: null,
    onStep: (s) => losses.push(s.terms.loss!),
  });
  try {
    await trainer.fit();
    const state = student.stateDict();
    const weights = await Promise.all(Object.values(state).map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(Object.values(state));
    return { losses, weights };
  } finally {
    trainer.dispose();
    tf.dispose([...student.trainableVariables, (frameTeacher as unknown as { w: tf.Variable }).w]);
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

describe.each(METHODS)('%s on webgpu', (method) => {
  it(`${STEPS} steps give the cpu backend's losses and weights (1e-4), leaving no tensor behind`, async () => {
    await tf.setBackend('cpu');
    const reference = await train(method);
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const got = await train(method);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.losses).toHaveLength(STEPS);
    got.losses.forEach((loss, i) => expect(Math.abs(loss - reference.losses[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(reference.losses[i]!))));
    got.weights.forEach((w, i) => expect(relativeError(w, reference.weights[i]!)).toBeLessThan(1e-4));
  });
});
