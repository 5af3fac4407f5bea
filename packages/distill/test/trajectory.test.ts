// Two training steps of the authors' own training loops (tools/fixtures/trajectory/, SOURCE.md) reproduced by
// ccl's Trainer on the cpu backend, every tensor judged by the golden's rule (tools/fixtures/trajectory.ts).
// The wasm backend runs the same check in packages/ccl/test/trajectory-wasm.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { judgeTrajectory, runTrajectory, TRAJECTORY_METHODS, verifyTrajectory, type TrajectoryRun } from '../../../tools/fixtures/trajectory';

const runs = new Map<string, TrajectoryRun>();

describe.each(TRAJECTORY_METHODS)('trajectory golden on cpu: %s', (method) => {
  it('every tensor of both steps lands within the reference float32 error, and step 0 terms match to 1e-5', async () => {
    expect(tf.getBackend()).toBe('cpu');
    const before = tf.memory().numTensors;
    const run = await runTrajectory(method);
    runs.set(method, run);
    expect(tf.memory().numTensors).toBe(before);
    verifyTrajectory(method, run);
  });
});

describe('the trajectory judge', () => {
  it('rejects a run of another method (CCL-A judged as CCL-I breaks most student tensors)', () => {
    const run = runs.get('ccl-a');
    expect(run).toBeDefined();
    const { failures } = judgeTrajectory('ccl-i', run!);
    expect(failures.filter((f) => f.key.includes('/student.') && Number.isFinite(f.maxDiff)).length).toBeGreaterThan(50);
  });
});
