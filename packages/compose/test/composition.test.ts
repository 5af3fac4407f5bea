import * as tf from '@tensorflow/tfjs-core';
import { CompositionHead, compositionOptionKeys, createComposition, detach, listCompositions, registerComposition, ResidualComposition } from '../src';
import { expectClose, golden, toTensor } from '../../../tools/fixtures/golden';

const g = golden();

describe('CompositionHead (residual)', () => {
  it.each(g.composition.map((c: unknown, i: number) => [i, c]) as [number, any][])('matches golden case %i', (_i, c) => {
    const [b, dt] = c.f_teacher.shape;
    const head = new CompositionHead({ teacherDim: dt, studentDim: c.f_student.shape[1], numClasses: c.fc_weight.shape[0], normalize: c.normalize });
    head.loadStateDict({
      'mlp.weight': toTensor(c.mlp_weight),
      'mlp.bias': toTensor(c.mlp_bias),
      'fc.weight': toTensor(c.fc_weight),
      'fc.bias': toTensor(c.fc_bias),
    });
    const out = head.apply(toTensor(c.f_teacher) as tf.Tensor2D, toTensor(c.f_student) as tf.Tensor2D);
    expect(out.feature.shape).toEqual([b, dt]);
    expectClose(out.feature.dataSync(), c.feature.data);
    expectClose(out.logits.dataSync(), c.logits.data);
    head.dispose();
  });

  it('round-trips its torch-named state dict and refuses a wrong one with every bad key', () => {
    const a = new CompositionHead({ teacherDim: 4, studentDim: 3, numClasses: 2, seed: 5 });
    const sd = a.stateDict();
    expect(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.shape]))).toEqual({
      'mlp.weight': [4, 7],
      'mlp.bias': [4],
      'fc.weight': [2, 4],
      'fc.bias': [2],
    });
    const b = new CompositionHead({ teacherDim: 4, studentDim: 3, numClasses: 2, seed: 9 });
    b.loadStateDict(sd);
    const x = tf.randomNormal([3, 4]) as tf.Tensor2D;
    const s = tf.randomNormal([3, 3]) as tf.Tensor2D;
    expectClose(b.apply(x, s).logits.dataSync(), a.apply(x, s).logits.dataSync(), 1e-7, 0);
    const bad = { 'mlp.weight': tf.zeros([4, 8]), 'fc.weight': tf.zeros([2, 4]), 'fc.bias': tf.zeros([2]), 'extra.weight': tf.zeros([1]) };
    expect(() => b.loadStateDict(bad)).toThrow(
      /missing keys: mlp\.bias \| unexpected keys: extra\.weight \| shape mismatches: mlp\.weight: checkpoint \[4,8\] vs model \[4,7\]/,
    );
    // nothing was assigned by the refused load
    expectClose(b.apply(x, s).logits.dataSync(), a.apply(x, s).logits.dataSync(), 1e-7, 0);
  });

  it('initialises like torch Linear: U(-1/sqrt(in), 1/sqrt(in))', () => {
    const h = new CompositionHead({ teacherDim: 64, studentDim: 64, numClasses: 10 });
    const w = h.stateDict()['mlp.weight'].dataSync();
    const bound = 1 / Math.sqrt(128);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.9 * bound);
  });

  it('rejects wrong input shapes with a clear message', () => {
    const h = new CompositionHead({ teacherDim: 4, studentDim: 3, numClasses: 2 });
    expect(() => h.apply(tf.zeros([2, 5]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/teacher features must be \[B, 4\], got \[2,5\]/);
    expect(() => h.apply(tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([3, 3]) as tf.Tensor2D)).toThrow(/batch sizes differ/);
    expect(() => new CompositionHead({ teacherDim: 0, studentDim: 3, numClasses: 2 })).toThrow(/teacherDim must be a positive integer/);
  });

  it('detachParams stops gradients to its own variables but not to the inputs', () => {
    const h = new ResidualComposition({ teacherDim: 3, studentDim: 3, numClasses: 2 });
    const t = tf.randomNormal([2, 3]) as tf.Tensor2D;
    const s = tf.variable(tf.randomNormal([2, 3]));
    const loss = (detachParams: boolean) => () => tf.sum(h.apply(t, s as unknown as tf.Tensor2D, { detachParams }).logits) as tf.Scalar;
    const live = tf.variableGrads(loss(false), [...h.trainableVariables, s]);
    const frozen = tf.variableGrads(loss(true), [...h.trainableVariables, s]);
    expect(tf.sum(tf.abs(frozen.grads[h.trainableVariables[0].name])).dataSync()[0]).toBe(0);
    expect(tf.sum(tf.abs(live.grads[h.trainableVariables[0].name])).dataSync()[0]).toBeGreaterThan(0);
    expectClose(frozen.grads[s.name].dataSync(), live.grads[s.name].dataSync(), 1e-6, 1e-5);
    expect(detach(tf.scalar(3)).dataSync()[0]).toBe(3);
  });

  it('gated: x_t + sigmoid(W_g j + b_g) * (W_m j + b_m) with j the normalised inputs (computed here on its own), and input gradients as finite differences', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => gatedAgainstIndependent());
    expect(tf.memory().numTensors).toBe(before);
  });

  /** The gated test's body (in a tidy: every tensor it makes is released). */
  function gatedAgainstIndependent(): void {
    const h = createComposition('gated', { teacherDim: 3, studentDim: 2, numClasses: 2, seed: 5 });
    const sd = h.stateDict();
    const t = tf.tensor2d([
      [0.3, -1.2, 0.8],
      [2.0, 0.1, -0.4],
    ]);
    const s = tf.tensor2d([
      [0.5, 1.5],
      [-0.7, 0.2],
    ]);
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.sqrt(tf.sum(tf.square(x), 1, true)));
    const j = tf.concat([unit(t), unit(s)], 1);
    const lin = (w: string, b: string) => tf.add(tf.matMul(j, sd[w] as tf.Tensor2D, false, true), sd[b]!);
    const expected = tf.add(t, tf.mul(tf.sigmoid(lin('gate.weight', 'gate.bias')), lin('mlp.weight', 'mlp.bias')));
    expectClose(h.apply(t, s).feature.dataSync(), expected.dataSync(), 1e-6, 1e-5);
    // d sum(feature * w) / d inputs against central differences (float64 not needed at these sizes: step 1e-2, tolerance 2e-3)
    const w = tf.tensor2d([
      [0.2, -0.5, 1.0],
      [0.7, 0.3, -0.9],
    ]);
    const f = (tt: tf.Tensor2D, ss: tf.Tensor2D) => tf.sum(tf.mul(h.apply(tt, ss).feature, w)) as tf.Scalar;
    const [gt, gs] = tf.grads((tt: tf.Tensor, ss: tf.Tensor) => f(tt as tf.Tensor2D, ss as tf.Tensor2D))([t, s]);
    for (const [x, gx, other] of [
      [t, gt, s],
      [s, gs, t],
    ] as [tf.Tensor2D, tf.Tensor, tf.Tensor2D][]) {
      const values = x.arraySync();
      const numeric = values.map((row, r) =>
        row.map((_, c) => {
          const at = (d: number) => {
            const moved = tf.tensor2d(values.map((rr, ri) => rr.map((v, ci) => (ri === r && ci === c ? v + d : v))));
            const value = (x === t ? f(moved, other) : f(other, moved)).dataSync()[0]!;
            moved.dispose();
            return value;
          };
          return (at(1e-2) - at(-1e-2)) / 2e-2;
        }),
      );
      expectClose(gx.dataSync(), numeric.flat(), 2e-3, 2e-3);
    }
    h.dispose();
  }

  it('leaks no tensors', () => {
    const h = new CompositionHead({ teacherDim: 4, studentDim: 4, numClasses: 3 });
    const t = tf.randomNormal([2, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const out = h.apply(t, t);
    tf.dispose([out.feature, out.logits]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('composition registry', () => {
  it('has residual (default) and gated, takes user compositions, and names the known ones on a typo', () => {
    expect(listCompositions()).toEqual(expect.arrayContaining(['gated', 'residual']));
    expect(createComposition(undefined, { teacherDim: 2, studentDim: 2, numClasses: 2 }).kind).toBe('residual');
    const gated = createComposition('gated', { teacherDim: 2, studentDim: 2, numClasses: 2 });
    expect(Object.keys(gated.stateDict()).sort()).toEqual(['fc.bias', 'fc.weight', 'gate.bias', 'gate.weight', 'mlp.bias', 'mlp.weight']);
    const out = gated.apply(tf.ones([1, 2]) as tf.Tensor2D, tf.ones([1, 2]) as tf.Tensor2D);
    expect(out.logits.shape).toEqual([1, 2]);
    registerComposition('mine', (o) => new ResidualComposition(o));
    expect(() => registerComposition('mine', (o) => new ResidualComposition(o))).toThrow(/already registered/);
    expect(() => createComposition('resdiual', { teacherDim: 2, studentDim: 2, numClasses: 2 })).toThrow(
      /unknown composition 'resdiual'; registered: gated, mine, residual/,
    );
  });

  it('refuses an unknown option key, naming it and the known keys', () => {
    const typo = { teacherDim: 2, studentDim: 2, numClasses: 2, normalise: false } as unknown as Parameters<typeof createComposition>[1];
    for (const name of ['residual', 'gated']) {
      expect(() => createComposition(name, typo)).toThrow(
        new RegExp(`composition '${name}': unknown option 'normalise' \\(known: teacherDim, studentDim, numClasses, normalize, seed\\)`),
      );
    }
    expect(compositionOptionKeys('residual')).toEqual(['teacherDim', 'studentDim', 'numClasses', 'normalize', 'seed']);
  });
});

describe('loadStateDict', () => {
  it('leaves no tensor behind (each load used to leak one copy per parameter)', () => {
    const head = createComposition('residual', { teacherDim: 4, studentDim: 4, numClasses: 3, seed: 1 });
    const dict = head.stateDict();
    const before = tf.memory().numTensors;
    head.loadStateDict(dict);
    head.loadStateDict(dict);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(dict));
    head.dispose();
  });
});

describe('dispose', () => {
  it('releases every tensor the head created (the initial values used to stay behind)', () => {
    const before = tf.memory().numTensors;
    createComposition('residual', { teacherDim: 4, studentDim: 4, numClasses: 3, seed: 1 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
