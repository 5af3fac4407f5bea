import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, type Encoder } from '../src';
import { disposeDict, maxAbsDiff, randomData, randomStateDict } from './helpers';

const tiny = { numClasses: 4, widthMultiplier: 1 / 16, frames: 4, inputSize: 16, seed: 3 };
const shape = [2, 4, 16, 16, 3]; // [B, T, H, W, C]

function withEncoder(name: string, options: Record<string, unknown>, body: (enc: Encoder) => void): void {
  const enc = createEncoder(name, options);
  try {
    body(enc);
  } finally {
    enc.dispose();
  }
}

function runningMean(enc: Encoder): Float32Array {
  const dict = enc.stateDict();
  const value = dict['bn1.running_mean']!.dataSync() as Float32Array;
  disposeDict(dict);
  return value;
}

describe('encoder contract (r2plus1d-18, reduced width)', () => {
  const x = tf.tensor(randomData(shape, 1), shape);
  afterAll(() => x.dispose());

  it('apply returns features [B, D] and logits [B, K]; head(features) equals the logits', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      const { features, logits } = enc.apply(x);
      expect(features.shape).toEqual([2, enc.featureDim]);
      expect(logits!.shape).toEqual([2, 4]);
      const again = enc.features(x);
      const viaHead = enc.head(again);
      expect(maxAbsDiff(viaHead.dataSync(), logits!.dataSync())).toBeLessThan(1e-6);
      tf.dispose([features, logits!, again, viaHead]);
    });
  });

  it('has no logits and a throwing head without a classifier', () => {
    withEncoder('r2plus1d-18', { ...tiny, numClasses: 0 }, (enc) => {
      const out = enc.apply(x);
      expect(out.logits).toBeUndefined();
      expect(() => enc.head(out.features)).toThrow(/no classifier/);
      out.features.dispose();
    });
  });

  it('eval() by default: running stats unchanged; train() updates them; apply({training}) overrides the mode', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      expect(enc.isTraining).toBe(false);
      const initial = runningMean(enc);
      tf.dispose(enc.apply(x));
      expect(Array.from(runningMean(enc))).toEqual(Array.from(initial));
      enc.train();
      expect(enc.isTraining).toBe(true);
      tf.dispose(enc.apply(x, { training: false }));
      expect(Array.from(runningMean(enc))).toEqual(Array.from(initial));
      tf.dispose(enc.apply(x));
      const updated = runningMean(enc);
      expect(maxAbsDiff(updated, initial)).toBeGreaterThan(0);
      const dict = enc.stateDict();
      expect(dict['bn1.num_batches_tracked']!.dtype).toBe('int32');
      expect(dict['bn1.num_batches_tracked']!.dataSync()[0]).toBe(1);
      disposeDict(dict);
      enc.eval();
      const a = enc.apply(x);
      const b = enc.apply(x);
      expect(maxAbsDiff(a.features.dataSync(), b.features.dataSync())).toBe(0);
      tf.dispose([a.features, a.logits!, b.features, b.logits!]);
    });
  });

  it('leaves tf.memory().numTensors unchanged after repeated forward passes (eval and train)', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      // warm-up: train mode, and eval mode, which caches each BatchNorm folded into its conv (released by dispose)
      tf.dispose(enc.apply(x, { training: true }));
      tf.dispose(enc.apply(x));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        tf.dispose(enc.apply(x));
        tf.dispose(enc.apply(x, { training: true }));
        const f = enc.features(x);
        tf.dispose([f, enc.head(f)]);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('dispose() releases the variables and the cached eval-mode foldings', () => {
    const baseline = tf.memory().numTensors;
    withEncoder('r2plus1d-18', tiny, (enc) => {
      tf.dispose(enc.apply(x));
      expect(tf.memory().numTensors).toBeGreaterThan(baseline + enc.describe().length); // foldings cached
    });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('trains inside tf.variableGrads: a gradient for every trainable variable, no leak', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4);
      const vars = enc.trainableVariables;
      expect(vars).toHaveLength(74);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = enc.apply(x, { training: true });
        return tf.losses.softmaxCrossEntropy(labels, logits!) as tf.Scalar;
      }, vars);
      expect(Object.keys(grads)).toHaveLength(74);
      for (const v of vars) expect(grads[v.name]!.shape).toEqual(v.shape);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      labels.dispose();
    });
  });

  it('round-trips stateDict -> loadStateDict (torch names and layouts) with identical outputs', () => {
    withEncoder('r2plus1d-18', tiny, (source) => {
      tf.dispose(source.apply(x, { training: true })); // non-trivial running stats
      const dict = source.stateDict();
      expect(dict['conv1.spatial_conv.weight']!.shape).toEqual([11, 3, 1, 7, 7]);
      expect(dict['conv1.temporal_conv.weight']!.shape).toEqual([4, 11, 3, 1, 1]);
      expect(dict['linear.weight']!.shape).toEqual([4, 32]);
      withEncoder('r2plus1d-18', { ...tiny, seed: 99 }, (target) => {
        const report = target.loadStateDict(dict, { strict: true });
        expect(report.ignored).toEqual([]);
        expect(report.loaded).toContain('bn1.num_batches_tracked');
        const back = target.stateDict(); // num_batches_tracked restored: the same dict again
        for (const [k, v] of Object.entries(dict)) expect({ [k]: Array.from(back[k]!.dataSync()) }).toEqual({ [k]: Array.from(v.dataSync()) });
        disposeDict(back);
        const bad = { ...dict, 'bn1.num_batches_tracked': tf.scalar(-1, 'int32') };
        expect(() => target.loadStateDict(bad)).toThrow(/bn1\.num_batches_tracked must hold one non-negative integer, got \[-1\]/);
        bad['bn1.num_batches_tracked'].dispose();
        const a = source.apply(x);
        const b = target.apply(x);
        expect(maxAbsDiff(a.logits!.dataSync(), b.logits!.dataSync())).toBe(0);
        tf.dispose([a.features, a.logits!, b.features, b.logits!]);
      });
      disposeDict(dict);
    });
  });

  it('namedParameters gives torch names aligned with trainableVariables', () => {
    const enc = createEncoder('r2plus1d-18', tiny); // typed overload: returns R2plus1d
    try {
      const named = enc.namedParameters();
      expect(named.map((n) => n.variable)).toEqual(enc.trainableVariables);
      expect(named[0]!.name).toBe('conv1.spatial_conv.weight');
      expect(named[named.length - 1]!.name).toBe('linear.bias');
      expect(named.some((n) => n.name.includes('running'))).toBe(false);
      expect(enc.factorisedConvs()).toHaveLength(12);
    } finally {
      enc.dispose();
    }
  });

  it('countParams excludes BN running statistics', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      const trainable = enc.trainableVariables.reduce((n, v) => n + v.size, 0);
      const all = enc.describe().reduce((n, s) => n + s.torchShape.reduce((a, b) => a * b, 1), 0);
      expect(enc.countParams()).toBe(trainable);
      expect(all).toBeGreaterThan(trainable);
    });
  });
});

describe('strict loadStateDict of a wrong checkpoint', () => {
  it('lists every missing, unexpected and mismatched key in one error and loads nothing', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      const { dict } = randomStateDict(createEncoderSpecs('r2plus1d-34', { ...tiny, numClasses: 7 }), 5);
      delete (dict as Record<string, tf.Tensor>)['bn1.weight'];
      const before = enc.stateDict();
      let message = '';
      try {
        enc.loadStateDict(dict, { strict: true, source: 'wrong.safetensors' });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/r2plus1d-18 from wrong\.safetensors/);
      expect(message).toMatch(/missing keys \(1\): bn1\.weight/);
      expect(message).toMatch(/unexpected keys \(\d+\): .*conv2\.blocks\.0\.conv1\.spatial_conv\.weight/);
      expect(message).toMatch(/linear\.weight expected \[4, 32\] got \[7, 32\]/);
      expect(message).toMatch(/linear\.bias expected \[4\] got \[7\]/);
      const after = enc.stateDict();
      for (const k of Object.keys(before)) expect(maxAbsDiff(after[k]!.dataSync(), before[k]!.dataSync())).toBe(0);
      disposeDict(dict);
      disposeDict(before);
      disposeDict(after);
    });
  });

  it('non-strict load reports missing/unexpected keys and loads the rest', () => {
    withEncoder('r2plus1d-18', tiny, (enc) => {
      const { dict } = randomStateDict(enc.describe(), 8);
      const extra = tf.zeros([1]);
      const partial: Record<string, tf.Tensor> = { ...dict, 'module.extra': extra };
      delete partial['linear.bias'];
      const report = enc.loadStateDict(partial, { strict: false });
      expect(report.missing).toEqual(['linear.bias']);
      expect(report.unexpected).toEqual(['module.extra']);
      const loaded = enc.stateDict();
      expect(maxAbsDiff(loaded['linear.weight']!.dataSync(), dict['linear.weight']!.dataSync())).toBe(0);
      disposeDict(loaded);
      disposeDict(dict);
      extra.dispose();
    });
  });
});

function createEncoderSpecs(name: string, options: Record<string, unknown>) {
  const enc = createEncoder(name, options);
  const specs = enc.describe();
  enc.dispose();
  return specs;
}
