import * as tf from '@tensorflow/tfjs-core';
import { listLosses, registerLoss, statelessLoss } from '@ccl/losses';
import { checkMethodName, createMethod, kdMethod, listMethods, registerMethod, resolveExperimentConfig } from '../src';

describe('KD methods register like the others', () => {
  it('every loss of @ccl/losses but the terms of other methods is a registered method', () => {
    const kd = listLosses().filter((n) => !['nce', 'jsd', 'ce', 'kd'].includes(n));
    expect(kd.length).toBeGreaterThan(5);
    expect(listMethods()).toEqual([...new Set(['baseline', 'ccl', 'ccl-paper', ...kd])].sort());
  });

  it('a loss registered later becomes a method once registered with kdMethod, not before', () => {
    registerLoss('kd-registration-test', () => statelessLoss('kd-registration-test', (i) => tf.mean(tf.sub(i.student, i.teacher)) as tf.Scalar));
    expect(() => checkMethodName('kd-registration-test')).toThrow(/unknown method 'kd-registration-test'; valid methods: /);
    registerMethod('kd-registration-test', kdMethod('kd-registration-test'));
    const config = resolveExperimentConfig({
      method: 'kd-registration-test',
      student: { encoder: 'r2plus1d-18' },
      teachers: [{ name: 'audio', modality: 'audio', dim: 4 }],
    });
    const method = createMethod(config.method, { config, numClasses: 3, studentDim: 4, datasetSize: 8 });
    expect(method.name).toBe('kd-registration-test');
    method.dispose();
  });
});
