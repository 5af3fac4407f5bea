import * as tf from '@tensorflow/tfjs-core';
import { clipGradNorm, createSchedule, Sgd, sgdUpdateValues } from '../src';

/** torch.optim.SGD's update, written out in plain JS (PyTorch docs' algorithm). */
function torchSgd(p: number[], grads: number[][], o: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }): number[] {
  let buf: number[] | null = null;
  let x = p.slice();
  for (const g0 of grads) {
    let g = g0.map((gi, i) => gi + o.weightDecay * x[i]);
    if (o.momentum !== 0) {
      buf = buf === null ? g.slice() : buf.map((b, i) => o.momentum * b + (1 - o.dampening) * g[i]);
      g = o.nesterov ? g.map((gi, i) => gi + o.momentum * buf![i]) : buf.slice();
    }
    x = x.map((xi, i) => xi - o.lr * g[i]);
  }
  return x;
}

describe('Sgd', () => {
  const cases = [
    { lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: false },
    { lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 0.01, nesterov: false },
    { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0.001, nesterov: true },
    { lr: 0.2, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  ];
  it.each(cases)('matches torch.optim.SGD over 4 steps: %o', (o) => {
    const p0 = [0.5, -1, 2];
    const grads = [
      [0.1, 0.2, -0.3],
      [0.3, -0.1, 0.2],
      [-0.2, 0.05, 0.4],
      [0.01, 0.02, 0.03],
    ];
    const v = tf.variable(tf.tensor1d(p0));
    const opt = new Sgd([v], o);
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      opt.step({ [v.name]: gt });
      gt.dispose();
    }
    const expected = torchSgd(p0, grads, o);
    Array.from(v.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });

  it.each(cases)('sgdUpdateValues (the fused kernel body) equals the op path bit for bit over 3 steps: %o', (o) => {
    const n = 257;
    const rand = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 3);
    const v = tf.variable(tf.tensor1d(rand(1)));
    const opt = new Sgd([v], { ...o, fused: false });
    let p = rand(1);
    let buf: Float32Array | null = null;
    for (let step = 0; step < 3; step++) {
      const g = rand(10 + step);
      const gt = tf.tensor1d(g);
      opt.step({ [v.name]: gt });
      gt.dispose();
      const pOut = new Float32Array(n);
      const bufOut = o.momentum !== 0 ? new Float32Array(n) : null;
      sgdUpdateValues(p, g, buf, pOut, bufOut, { ...o, count: 1, hasBuffers: buf !== null });
      p = pOut;
      buf = bufOut;
      expect(Array.from(p)).toEqual(Array.from(v.dataSync()));
    }
    opt.dispose();
    v.dispose();
  });

  it('round-trips its momentum buffers and leaks nothing', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const opt = new Sgd([v], { lr: 0.1, momentum: 0.9 });
    const g = tf.tensor1d([1, 1]);
    opt.step({ [v.name]: g });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.step({ [v.name]: g });
    expect(tf.memory().numTensors).toBe(before);
    const state = opt.stateDict();
    const w = tf.variable(v.clone());
    const opt2 = new Sgd([w], { lr: 0.1, momentum: 0.9 });
    opt2.loadStateDict(state);
    opt.step({ [v.name]: g });
    opt2.step({ [w.name]: g });
    expect(Array.from(w.dataSync())).toEqual(Array.from(v.dataSync()));
  });

  it('clips the global gradient norm like clip_grad_norm_', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    expect(clipGradNorm(grads, 1)).toBeCloseTo(5, 5);
    expect(grads.a.dataSync()[0]).toBeCloseTo(3 / 5, 5);
    expect(grads.b.dataSync()[1]).toBeCloseTo(4 / 5, 5);
  });
});

describe('schedules', () => {
  it('multistep is torch MultiStepLR stepped per epoch (x0.1 at 150 and 225)', () => {
    const s = createSchedule({ kind: 'multistep', milestones: [150, 225], gamma: 0.1 });
    expect(s.lrAt(0, 1e-3)).toBeCloseTo(1e-3, 12);
    expect(s.lrAt(149, 1e-3)).toBeCloseTo(1e-3, 12);
    expect(s.lrAt(150, 1e-3)).toBeCloseTo(1e-4, 12);
    expect(s.lrAt(225, 1e-3)).toBeCloseTo(1e-5, 12);
  });
  it('cosine anneals from base to minLr', () => {
    const s = createSchedule({ kind: 'cosine', epochs: 10, minLr: 0.01 });
    expect(s.lrAt(0, 1)).toBeCloseTo(1, 9);
    expect(s.lrAt(5, 1)).toBeCloseTo(0.505, 9);
    expect(s.lrAt(10, 1)).toBeCloseTo(0.01, 9);
  });
});
