// The trajectory golden (tools/fixtures/trajectory/) on the tfjs WebGPU backend, as `ccl train --backend webgpu`
// runs it: two steps of baseline / CCL-A / CCL-I / CCL-AI through the Trainer, every tensor judged by the
// golden's rule. Runs under tools/system/with-mesa.sh (Mesa's software Vulkan when the machine has no GPU).
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '@ccl/backends';
import { runTrajectory, TRAJECTORY_METHODS, verifyTrajectory } from '../../../../tools/fixtures/trajectory';

beforeAll(async () => {
  await pickBackend({ force: 'webgpu' });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(TRAJECTORY_METHODS)('trajectory golden on webgpu: %s', (method) => {
  it('every tensor of both steps lands within the reference float32 error, and step 0 terms match to 1e-5', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const before = tf.memory().numTensors;
    const run = await runTrajectory(method);
    expect(tf.memory().numTensors).toBe(before);
    verifyTrajectory(method, run);
  });
});
