import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, describeR2plus1d, intermediateChannels, listEncoders, type R2plus1d } from '../src';
import golden from './fixtures/r21d-golden.json';

interface GoldenConv {
  name: string;
  in: number;
  mid: number;
  out: number;
  spatial_kernel: number[];
  spatial_stride: number[];
  temporal_kernel: number[];
  temporal_stride: number[];
}

describe('r2plus1d architecture vs the golden r21d table', () => {
  for (const entry of golden.r21d) {
    describe(`depth ${entry.depth}, ${entry.n_classes} classes`, () => {
      const description = describeR2plus1d({ depth: entry.depth, numClasses: entry.n_classes });

      it('has the reference parameter count and trainable tensor count', () => {
        expect(description.parameters).toBe(entry.parameters);
        expect(description.trainableTensors).toBe(entry.trainable_tensors);
      });

      it('has every factorised conv of the golden table, in order, with its geometry', () => {
        const ours = description.factorisedConvs.map((c) => ({
          name: c.name,
          in: c.in,
          mid: c.mid,
          out: c.out,
          spatial_kernel: [1, c.kernel.k, c.kernel.k],
          spatial_stride: [1, c.stride.s, c.stride.s],
          temporal_kernel: [c.kernel.t, 1, 1],
          temporal_stride: [c.stride.t, 1, 1],
        }));
        expect(ours).toEqual(entry.factorised_convs as GoldenConv[]);
      });

      it('derives mid channels from the shapes of its conv weights', () => {
        const shapes = new Map(description.params.map((p) => [p.name, p.torchShape]));
        for (const conv of entry.factorised_convs as GoldenConv[]) {
          const spatial = shapes.get(`${conv.name}.spatial_conv.weight`)!;
          const temporal = shapes.get(`${conv.name}.temporal_conv.weight`)!;
          expect(spatial).toEqual([conv.mid, conv.in, ...conv.spatial_kernel]);
          expect(temporal).toEqual([conv.out, conv.mid, ...conv.temporal_kernel]);
          expect(shapes.get(`${conv.name}.bn.running_var`)).toEqual([conv.mid]);
        }
      });
    });
  }

  it('computes M = floor(t k^2 Cin Cout / (k^2 Cin + t Cout))', () => {
    expect(intermediateChannels(3, 64, 3, 7)).toBe(83);
    expect(intermediateChannels(64, 128, 3, 3)).toBe(230);
    expect(intermediateChannels(256, 512, 1, 1)).toBe(170);
    expect(intermediateChannels(512, 512, 3, 3)).toBe(1152);
  });

  it('uses the reference state-dict names', () => {
    const names = describeR2plus1d({ depth: 34, numClasses: 101 }).params.map((p) => p.name);
    for (const n of [
      'conv1.spatial_conv.weight',
      'conv1.bn.weight',
      'conv1.bn.running_mean',
      'conv1.temporal_conv.weight',
      'bn1.running_var',
      'conv2.block1.conv1.spatial_conv.weight',
      'conv2.block1.bn1.weight',
      'conv3.block1.downsampleconv.temporal_conv.weight',
      'conv3.block1.downsamplebn.bias',
      'conv2.blocks.0.conv2.bn.weight',
      'conv5.blocks.1.bn2.running_mean',
      'linear.weight',
      'linear.bias',
    ]) {
      expect(names).toContain(n);
    }
    expect(names.filter((n) => n.startsWith('conv4.blocks.'))).toHaveLength(5 * 20);
  });

  it('allocates r2plus1d-18 with variables matching its description', () => {
    const enc = createEncoder('r2plus1d-18', { numClasses: 51, seed: 1 }) as R2plus1d;
    try {
      expect(enc.countParams()).toBe(14391466);
      expect(enc.trainableVariables).toHaveLength(74);
      const total = enc.trainableVariables.reduce((n, v) => n + v.size, 0);
      expect(total).toBe(14391466);
      expect(enc.featureDim).toBe(512);
      expect(enc.numClasses).toBe(51);
    } finally {
      enc.dispose();
    }
  });

  it('scales channels with widthMultiplier', () => {
    const d = describeR2plus1d({ widthMultiplier: 1 / 16, numClasses: 5 });
    const conv5 = d.factorisedConvs.find((c) => c.name === 'conv5.block1.conv2')!;
    expect(conv5.out).toBe(32);
    expect(conv5.mid).toBe(intermediateChannels(32, 32, 3, 3));
    expect(d.params.find((p) => p.name === 'linear.weight')!.torchShape).toEqual([5, 32]);
  });

  it('registers both depths and rejects unknown names', () => {
    expect(listEncoders()).toEqual(expect.arrayContaining(['r2plus1d-18', 'r2plus1d-34']));
    expect(() => createEncoder('r2plus1d-50')).toThrow(/unknown encoder 'r2plus1d-50'/);
  });

  it('maps the reference input size to the METHOD §5 feature-map sizes (16x112x112 -> 16x56x56 ... 2x7x7)', () => {
    const enc = createEncoder('r2plus1d-18', { widthMultiplier: 1 / 16, numClasses: 51, seed: 1 });
    const [, c, t, h, w] = golden.r21d[0]!.input_shape_NCTHW as [number, number, number, number, number];
    const x = tf.randomUniform([1, t, h, w, c], -1, 1, 'float32', 5);
    try {
      const stages = enc.stageOutputs(x);
      expect(stages.map((s) => s.shape)).toEqual([
        [1, 16, 56, 56, 4],
        [1, 8, 28, 28, 8],
        [1, 4, 14, 14, 16],
        [1, 2, 7, 7, 32],
      ]);
      const features = tf.mean(stages[3]!, [1, 2, 3]) as tf.Tensor2D; // what features() pools
      const logits = enc.head(features);
      expect(logits.shape).toEqual([1, golden.r21d[0]!.logits_shape[1]]);
      tf.dispose([...stages, features, logits]);
    } finally {
      x.dispose();
      enc.dispose();
    }
  });

  it('rejects inputs of the wrong layout', () => {
    const enc = createEncoder('r2plus1d-18', { widthMultiplier: 1 / 16, frames: 4, inputSize: 16 });
    try {
      const chw = tf.zeros([1, 3, 4, 16, 16]);
      expect(() => enc.apply(chw)).toThrow(/3 channels last/);
      const short = tf.zeros([1, 2, 16, 16, 3]);
      expect(() => enc.apply(short)).toThrow(/2 frames, this encoder was built for 4/);
      tf.dispose([chw, short]);
    } finally {
      enc.dispose();
    }
  });
});
