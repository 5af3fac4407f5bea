import * as tf from '@tensorflow/tfjs-core';
import { resolveExperimentConfig, teacherFrames } from '../src';

describe('teacher-specific frame transform (online teachers)', () => {
  const frames = tf.tensor4d(
    Float32Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => ((i * 37) % 11) / 5 - 1),
    [2, 4, 4, 3],
  );

  it('is the identity when absent (the reference: the normalised clip frame as it is)', () => {
    expect(teacherFrames(frames, undefined)).toBe(frames);
  });

  it("re-normalises from the clip statistics to the teacher's, channel by channel", () => {
    const imagenet = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const out = teacherFrames(frames, imagenet).arraySync() as number[][][][];
    const x = frames.arraySync() as number[][][][];
    const kin = { mean: [0.4345, 0.4051, 0.3775], std: [0.2768, 0.2713, 0.2737] };
    for (const [b, h, w, c] of [
      [0, 0, 0, 0],
      [1, 3, 2, 2],
      [0, 1, 3, 1],
    ]) {
      const raw = x[b][h][w][c] * kin.std[c] + kin.mean[c];
      expect(out[b][h][w][c]).toBeCloseTo((raw - imagenet.mean[c]) / imagenet.std[c], 5);
    }
    expect(() => teacherFrames(frames, { mean: [0.5], std: [0.5] })).toThrow(/frameTransform.mean has 1 values for 3 channels/);
  });

  it("resizes bilinearly to the teacher's input size", () => {
    const out = teacherFrames(frames, { size: 2 });
    expect(out.shape).toEqual([2, 2, 2, 3]);
    const same = teacherFrames(frames, { size: 4 });
    expect(Array.from(same.dataSync())).toEqual(Array.from(frames.dataSync()));
  });

  it('is part of the validated config', () => {
    const c = resolveExperimentConfig({
      method: 'ccl',
      student: { encoder: 'r2plus1d-18' },
      teachers: [{ name: 'image', modality: 'image', dim: 512, frameTransform: { size: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } }],
    });
    expect(c.teachers[0].frameTransform?.size).toBe(224);
    expect(() =>
      resolveExperimentConfig({ method: 'ccl', student: { encoder: 'x' }, teachers: [{ name: 'i', modality: 'image', dim: 2, frameTransform: { sise: 3 } }] }),
    ).toThrow(/frameTransform\.sise: unknown key \(did you mean 'size'\?\)/);
  });
});
