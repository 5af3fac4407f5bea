import * as tf from '@tensorflow/tfjs-core';
import { createLoss, crossEntropy, hasLoss, jsdLoss, listLosses, lossOptionKeys, multiClassNce, registerLoss, statelessLoss, type Loss } from '@ccl/losses';

const BUILT_IN = ['at', 'ce', 'cmc', 'cor', 'crd', 'fitnet', 'ifd', 'jsd', 'kd', 'nce', 'pkt', 'rkd', 'sp', 'vid'];

describe('loss registry', () => {
  it('lists every built-in loss, sorted', () => {
    expect(listLosses()).toEqual(expect.arrayContaining(BUILT_IN));
    const names = listLosses();
    expect([...names].sort()).toEqual(names);
    for (const n of BUILT_IN) expect(hasLoss(n)).toBe(true);
    expect(hasLoss('no-such-loss')).toBe(false);
  });

  it('names the known losses when asked for an unknown one', () => {
    expect(() => createLoss('fitnett')).toThrow(/registry\.ts: unknown loss 'fitnett'; registered losses: at, ce, cmc, .*fitnet.*vid/);
  });

  it('refuses an unknown option key of a built-in loss, naming it and the known keys', () => {
    for (const name of BUILT_IN) {
      expect(lossOptionKeys(name)).toBeDefined();
      expect(() => createLoss(name as 'pkt', { checkFinte: false } as never)).toThrow(
        new RegExp(`registry\\.ts: loss '${name}': unknown option 'checkFinte' \\(known: `),
      );
    }
    expect(() => createLoss('crd', { studentDim: 2, teacherDim: 2, bankSize: 4, numNegative: 3 } as never)).toThrow(
      /loss 'crd': unknown option 'numNegative' \(known: .*numNegatives/,
    );
    expect(() => createLoss('ce', { temperature: 1 } as never)).toThrow(/loss 'ce': unknown option 'temperature' \(known: none\)/);
    registerLoss('registry-test-declared', () => statelessLoss('d', () => tf.scalar(0)), { optionKeys: ['scale'] });
    expect(() => createLoss('registry-test-declared', { scale: 1, shift: 2 })).toThrow(
      /loss 'registry-test-declared': unknown option 'shift' \(known: scale\)/,
    );
    createLoss('registry-test-declared', { scale: 1 }).dispose();
  });

  it('refuses a duplicate name unless override is set', () => {
    const make = (scale: number) => (): Loss => statelessLoss('dup', (x) => tf.mul(scale, tf.sum(x.student)) as tf.Scalar);
    registerLoss('registry-test-dup', make(1));
    expect(() => registerLoss('registry-test-dup', make(2))).toThrow(/a loss named 'registry-test-dup' is already registered; pass \{ override: true \}/);
    expect(() => registerLoss('pkt', make(2))).toThrow(/already registered/);
    registerLoss('registry-test-dup', make(3), { override: true });
    const v = tf.tidy(
      () =>
        createLoss('registry-test-dup')
          .compute({ student: tf.ones([2, 2]), teacher: tf.ones([2, 2]) })
          .dataSync()[0],
    );
    expect(v).toBe(12);
  });

  it('checks names, factories and what factories return', () => {
    expect(() => registerLoss('', () => statelessLoss('x', () => tf.scalar(0)))).toThrow(/non-empty string/);
    expect(() => registerLoss('registry-test-bad', 42 as unknown as () => Loss)).toThrow(/must be a function, got number/);
    registerLoss('registry-test-broken', () => ({ name: 'broken' }) as unknown as Loss);
    expect(() => createLoss('registry-test-broken')).toThrow(/the factory of loss 'registry-test-broken' must return \{ name, variables/);
  });

  it('passes options through, and {} when none are given', () => {
    const seen: unknown[] = [];
    registerLoss('registry-test-options', (o: { k?: number }) => {
      seen.push(o);
      return statelessLoss('o', () => tf.scalar(o.k ?? -1));
    });
    createLoss('registry-test-options');
    createLoss('registry-test-options', { k: 2 });
    expect(seen).toEqual([{}, { k: 2 }]);
  });

  it('rejects bad options of the built-in losses with clear errors', () => {
    expect(() => createLoss('fitnet', { studentDim: 0, teacherDim: 3 })).toThrow(/kd\/fitnet\.ts: input dimension must be a positive integer, got 0/);
    expect(() => createLoss('kd', { temperature: -1 })).toThrow(/kd\/hinton-kd\.ts: temperature must be a finite number > 0/);
    expect(() => createLoss('crd', { studentDim: 3, teacherDim: 3, bankSize: 1 })).toThrow(/at least 2 rows/);
    // @ts-expect-error fitnet needs its dimensions: the registry's overloads make that a type error
    expect(() => createLoss('fitnet')).toThrow(/kd\/fitnet\.ts/);
  });
});

describe('registered CCL terms wrap the package functions', () => {
  const f1 = [
    [0.2, 1.0, -0.3],
    [0.5, -0.4, 0.9],
    [-1.0, 0.1, 0.3],
  ];
  const f2 = [
    [0.1, 0.8, 0.2],
    [0.7, -0.2, 0.5],
    [-0.6, 0.4, 0.1],
  ];
  const labels = [0, 1, 0];

  it('nce = multiClassNce(student, teacher, labels)', () => {
    const direct = tf.tidy(() => multiClassNce(tf.tensor2d(f1), tf.tensor2d(f2), labels, { temperature: 0.5 }).dataSync()[0]);
    const viaRegistry = tf.tidy(
      () =>
        createLoss('nce', { temperature: 0.5 })
          .compute({ student: tf.tensor2d(f1), teacher: tf.tensor2d(f2), labels })
          .dataSync()[0],
    );
    expect(viaRegistry).toBe(direct);
    expect(() => tf.tidy(() => createLoss('nce', { temperature: 0.5 }).compute({ student: tf.tensor2d(f1), teacher: tf.tensor2d(f2) }))).toThrow(
      /loss 'nce' needs inputs\.labels/,
    );
  });

  it('jsd = jsdLoss(studentLogits, teacherLogits) and ce = crossEntropy(studentLogits, labels)', () => {
    const jsd = tf.tidy(() => jsdLoss(tf.tensor2d(f1), tf.tensor2d(f2), { weight: 0.5 }).dataSync()[0]);
    const ce = tf.tidy(() => crossEntropy(tf.tensor2d(f1), labels).dataSync()[0]);
    const inputs = () => ({ student: tf.tensor2d(f1), teacher: tf.tensor2d(f2), studentLogits: tf.tensor2d(f1), teacherLogits: tf.tensor2d(f2), labels });
    expect(tf.tidy(() => createLoss('jsd', { weight: 0.5 }).compute(inputs()).dataSync()[0])).toBe(jsd);
    expect(tf.tidy(() => createLoss('ce').compute(inputs()).dataSync()[0])).toBe(ce);
    expect(jsd).toBeGreaterThan(0);
    expect(() => tf.tidy(() => createLoss('ce').compute({ student: tf.tensor2d(f1), teacher: tf.tensor2d(f2), labels }))).toThrow(
      /loss 'ce' needs inputs\.studentLogits/,
    );
  });

  it('stateless registered terms do not leak tensors', () => {
    const a = tf.tensor2d(f1);
    const b = tf.tensor2d(f2);
    const before = tf.memory().numTensors;
    for (const [name, opts] of [
      ['nce', { temperature: 0.1 }],
      ['jsd', {}],
      ['ce', {}],
    ] as const) {
      createLoss(name, opts).compute({ student: a, teacher: b, studentLogits: a, teacherLogits: b, labels }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
