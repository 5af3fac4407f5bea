// The trajectory golden (tools/fixtures/trajectory/) on the WASM backend with ccl's training kernels, as the
// `ccl` command runs it: two steps of baseline / CCL-A / CCL-I / CCL-AI through the Trainer, every tensor
// judged by the golden's rule. The batches hold videos without audio, so CCL-A and CCL-AI drop rows from the
// audio terms (a backward pass that must not need a kernel WASM lacks, such as UnsortedSegmentSum).
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '@ccl/backends';
import { runTrajectory, TRAJECTORY_METHODS, verifyTrajectory } from '../../../tools/fixtures/trajectory';

beforeAll(async () => {
  await pickBackend({ force: 'wasm' }); // what `ccl train --backend wasm` does: the backend and ccl's training kernels
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(TRAJECTORY_METHODS)('trajectory golden on wasm: %s', (method) => {
  it('every tensor of both steps lands within the reference float32 error, and step 0 terms match to 1e-5', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const run = await runTrajectory(method);
    expect(tf.memory().numTensors).toBe(before);
    verifyTrajectory(method, run);
  });
});
