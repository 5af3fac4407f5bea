import * as tf from '@tensorflow/tfjs-core';
import { resolveExperimentConfig } from '@ccl/distill';
import { studentFor } from '../src';

const weights = (config: ReturnType<typeof resolveExperimentConfig>) => {
  const student = studentFor(config, 3);
  const dict = student.stateDict();
  const values = Object.entries(dict).map(([k, t]) => [k, Array.from(t.dataSync())] as const);
  tf.dispose(Object.values(dict));
  student.dispose();
  return Object.fromEntries(values);
};

describe('ccl train: the student of a config', () => {
  const config = (extra: Record<string, unknown> = {}) =>
    resolveExperimentConfig({ method: 'baseline', seed: 4, student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16, ...extra } } });

  it('starts from the same weights in every run of the config (it was initialised from an unseeded draw)', () => {
    expect(weights(config())).toEqual(weights(config()));
  });

  it('follows the config seed, and an explicit options.seed wins', () => {
    const other = resolveExperimentConfig({ method: 'baseline', seed: 5, student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16 } } });
    expect(weights(other)['linear.weight']).not.toEqual(weights(config())['linear.weight']);
    expect(weights(config({ seed: 9 }))).toEqual(weights({ ...other, student: { ...other.student, options: { ...other.student.options, seed: 9 } } }));
  });
});
