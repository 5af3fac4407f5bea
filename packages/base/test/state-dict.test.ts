import * as tf from '@tensorflow/tfjs-core';
import { loadStateDict, matchStateDict, snapshotVariables } from '@ccl/base';

describe('matchStateDict', () => {
  it('sorts keys into matched, missing, mismatched, unexpected and ignored', () => {
    const expected = new Map<string, number[]>([
      ['a', [2]],
      ['b', [1, 2]],
      ['c', [3]],
    ]);
    const dict = { x: tf.zeros([1]), b: tf.zeros([2, 1]), a: tf.zeros([2]), 'bn.num_batches_tracked': tf.zeros([]) };
    const m = matchStateDict(expected, dict, (k) => k.endsWith('num_batches_tracked'));
    expect(m).toEqual({
      matched: ['a'],
      missing: ['c'],
      mismatched: [{ name: 'b', expected: [1, 2], got: [2, 1] }],
      unexpected: ['x'],
      ignored: ['bn.num_batches_tracked'],
    });
    tf.dispose(Object.values(dict));
  });
});

describe('loadStateDict', () => {
  it('loads every key, cast to the variable dtype, and snapshotVariables copies them back', () => {
    const vars = { w: tf.variable(tf.zeros([2])), step: tf.variable(tf.scalar(0, 'int32')) };
    loadStateDict('m', vars, { w: tf.tensor1d([1, 2]), step: tf.scalar(3, 'int32') });
    const snap = snapshotVariables(vars);
    expect(Array.from(snap.w!.dataSync())).toEqual([1, 2]);
    expect(snap.step!.dtype).toBe('int32');
    expect(snap.step!.dataSync()[0]).toBe(3);
    expect(snap.w).not.toBe(vars.w);
  });

  it('reports every problem in one error and loads nothing', () => {
    const vars = { a: tf.variable(tf.zeros([2])), b: tf.variable(tf.zeros([2])) };
    const bad = { a: tf.ones([2]), c: tf.ones([1]), b: tf.ones([3]) };
    expect(() => loadStateDict('head', vars, bad, { source: 'x.safetensors' })).toThrow(
      'head from x.safetensors: cannot load state dict (unexpected keys: c | shape mismatches: b: checkpoint [3] vs model [2])',
    );
    expect(Array.from(vars.a.dataSync())).toEqual([0, 0]);
    expect(() => loadStateDict('head', vars, { a: tf.ones([2]) })).toThrow(/missing keys: b/);
    loadStateDict('head', vars, { a: tf.ones([2]), c: tf.ones([1]) }, { strict: false });
    expect(Array.from(vars.a.dataSync())).toEqual([1, 1]);
    expect(() => loadStateDict('head', vars, { b: tf.ones([3]) }, { strict: false })).toThrow(/shape mismatches/);
  });
});
