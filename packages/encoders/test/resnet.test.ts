import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, describeResnet, RESNET_STAGE_BLOCKS } from '../src';
import { disposeDict, maxAbsDiff, randomData, randomStateDict } from './helpers';
import { resnetFeaturesRef } from './reference/resnet-reference';
import { channelsFirst } from './reference/torch-reference';

describe('resnet image teachers (torchvision layout)', () => {
  it('has torchvision parameter counts', () => {
    expect(describeResnet({ depth: 18 }).parameters).toBe(11176512);
    expect(describeResnet({ depth: 34 }).parameters).toBe(21284672);
    expect(describeResnet({ depth: 18, numClasses: 1000 }).parameters).toBe(11689512);
    expect(describeResnet({ depth: 34, numClasses: 1000 }).parameters).toBe(21797672);
  });

  it('uses torchvision state-dict names and shapes', () => {
    const shapes = new Map(describeResnet({ depth: 18 }).params.map((p) => [p.name, p.torchShape]));
    expect(shapes.get('conv1.weight')).toEqual([64, 3, 7, 7]);
    expect(shapes.get('bn1.running_var')).toEqual([64]);
    expect(shapes.get('layer1.0.conv1.weight')).toEqual([64, 64, 3, 3]);
    expect(shapes.get('layer2.0.downsample.0.weight')).toEqual([128, 64, 1, 1]);
    expect(shapes.get('layer2.0.downsample.1.weight')).toEqual([128]);
    expect(shapes.get('layer4.1.bn2.bias')).toEqual([512]);
    expect(shapes.has('layer1.0.downsample.0.weight')).toBe(false);
    expect(shapes.has('fc.weight')).toBe(false);
  });

  it('allocates resnet18 with 512-d features', () => {
    const enc = createEncoder('resnet18');
    try {
      expect(enc.countParams()).toBe(11176512);
      expect(enc.featureDim).toBe(512);
      expect(enc.numClasses).toBe(0);
      expect(enc.inputLayout).toBe('[B, H, W, 3]');
    } finally {
      enc.dispose();
    }
  });

  describe.each([18, 34])('resnet%i parity with the float64 reference', (depth) => {
    it('gives the same pooled features (eval mode, 1e-4) and does not leak', () => {
      const enc = createEncoder(`resnet${depth}`, { widthMultiplier: 1 / 16, numClasses: 0 });
      const { dict, ref } = randomStateDict(enc.describe(), 40 + depth);
      const shape = [2, 20, 20, 3]; // [B, H, W, C]
      const data = randomData(shape, 12);
      const x = tf.tensor(data, shape);
      try {
        enc.loadStateDict(dict, { strict: true });
        const features = enc.features(x);
        expect(features.shape).toEqual([2, 32]);
        const expected = resnetFeaturesRef(ref, channelsFirst(data, shape), [...RESNET_STAGE_BLOCKS[depth]!]);
        expect(maxAbsDiff(features.dataSync(), expected)).toBeLessThan(1e-4);
        expect(Math.max(...expected.data.map(Math.abs))).toBeGreaterThan(1e-2);
        features.dispose();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 2; i++) tf.dispose([enc.features(x), enc.features(x, { training: true })]);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        tf.dispose(x);
        disposeDict(dict);
        enc.dispose();
      }
    });
  });

  it("normalize: 'imagenet' equals feeding torchvision-normalised images", () => {
    const raw = createEncoder('resnet18', { widthMultiplier: 1 / 16, seed: 3 });
    const norm = createEncoder('resnet18', { widthMultiplier: 1 / 16, seed: 4, normalize: 'imagenet' });
    const state = raw.stateDict();
    norm.loadStateDict(state);
    const shape = [1, 16, 16, 3];
    const pixels = randomData(shape, 2).map((v) => (v + 1) / 2); // [0, 1]
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const x = tf.tensor(pixels, shape);
    const xn = tf.tensor(
      pixels.map((v, i) => (v - mean[i % 3]!) / std[i % 3]!),
      shape,
    );
    const a = norm.features(x);
    const b = raw.features(xn);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, xn, a, b]);
    disposeDict(state);
    raw.dispose();
    norm.dispose();
  });

  it('inputStats declares the statistics weights trained on other data expect (the convention feature extraction applies)', () => {
    const kinetics = { mean: [0.4345, 0.4051, 0.3775], std: [0.2768, 0.2713, 0.2737] };
    const enc = createEncoder('resnet18', { widthMultiplier: 1 / 16, normalize: 'none', inputStats: kinetics });
    expect(enc.inputConvention).toMatchObject({ kind: 'images', mean: kinetics.mean, std: kinetics.std });
    expect(enc.inputConvention!.description).toMatch(/mean \[0\.4345, 0\.4051, 0\.3775\]/);
    enc.dispose();
    const torchvision = createEncoder('resnet18', { widthMultiplier: 1 / 16 });
    expect(torchvision.inputConvention).toMatchObject({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    torchvision.dispose();
    expect(() => createEncoder('resnet18', { inputStats: { mean: [0, 0], std: [1, 1, 1] } })).toThrow(/inputStats must be \{ mean: \[r, g, b\]/);
    expect(() => createEncoder('resnet18', { inputStats: { mean: [0, 0, 0], std: [1, 0, 1] } })).toThrow(/std > 0/);
    expect(() => createEncoder('resnet18', { normalize: 'imagenet', inputStats: kinetics })).toThrow(/cannot go with normalize: 'imagenet'/);
  });

  it('rejects a video input and a torchvision checkpoint with fc when fc is dropped (strict)', () => {
    const enc = createEncoder('resnet18', { widthMultiplier: 1 / 16 });
    const withFc = createEncoder('resnet18', { widthMultiplier: 1 / 16, numClasses: 10 });
    const dict = withFc.stateDict();
    const video = tf.zeros([1, 2, 8, 8, 3]);
    try {
      expect(() => enc.apply(video)).toThrow(/must be images \[B, H, W, 3\]/);
      expect(() => enc.loadStateDict(dict)).toThrow(/unexpected keys \(2\): fc\.weight, fc\.bias/);
      const report = enc.loadStateDict(dict, { strict: false });
      expect(report.unexpected).toEqual(['fc.weight', 'fc.bias']);
    } finally {
      video.dispose();
      disposeDict(dict);
      enc.dispose();
      withFc.dispose();
    }
  });
});
