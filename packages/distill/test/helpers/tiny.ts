import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@ccl/base';
import type { SampleSource, SampleView, TrainableEncoder, TrainingSample } from '../../src';

/**
 * A tiny student for trainer tests: mean over time, flatten, Linear -> ReLU (features), Linear (logits),
 * with torch-style names. It satisfies the TrainableEncoder contract the real encoders implement.
 */
export class TinyStudent implements TrainableEncoder {
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;
  mode: 'train' | 'eval' = 'train';

  constructor(
    readonly inDim: number,
    readonly dim: number,
    readonly classes: number,
    seed = 1,
  ) {
    this.w1 = tf.variable(tf.randomUniform([dim, inDim], -0.3, 0.3, 'float32', seed));
    this.b1 = tf.variable(tf.zeros([dim]));
    this.w2 = tf.variable(tf.randomUniform([classes, dim], -0.3, 0.3, 'float32', seed + 1));
    this.b2 = tf.variable(tf.zeros([classes]));
  }

  apply(x: tf.Tensor): { features: tf.Tensor2D; logits: tf.Tensor2D } {
    return tf.tidy(() => {
      const flat = tf.reshape(tf.mean(x, 1), [x.shape[0], -1]) as tf.Tensor2D; // [B, H*W*C]
      const features = tf.relu(tf.add(tf.matMul(flat, this.w1 as tf.Tensor2D, false, true), this.b1)) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(features, this.w2 as tf.Tensor2D, false, true), this.b2) as tf.Tensor2D;
      return { features, logits };
    });
  }

  get trainableVariables(): tf.Variable[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  train(): void {
    this.mode = 'train';
  }
  eval(): void {
    this.mode = 'eval';
  }

  private named(): Record<string, tf.Variable> {
    return { 'fc1.weight': this.w1, 'fc1.bias': this.b1, 'linear.weight': this.w2, 'linear.bias': this.b2 };
  }

  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(Object.entries(this.named()).map(([k, v]) => [k, v.clone()]));
  }

  loadStateDict(dict: Record<string, tf.Tensor>): void {
    for (const [k, v] of Object.entries(this.named())) {
      if (!dict[k]) throw new Error(`missing ${k}`);
      v.assign(dict[k]);
    }
  }
}

/** A tiny image "teacher": mean colour of the frame, projected. */
export class TinyFrameTeacher implements TrainableEncoder {
  private readonly w = tf.variable(tf.randomUniform([6, 3], -1, 1, 'float32', 99), false);
  apply(x: tf.Tensor): { features: tf.Tensor2D } {
    return tf.tidy(() => ({ features: tf.relu(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.w as tf.Tensor2D, false, true)) as tf.Tensor2D }));
  }
  readonly trainableVariables = [];
  train(): void {}
  eval(): void {}
  stateDict(): Record<string, tf.Tensor> {
    return {};
  }
  loadStateDict(): void {}
}

/** Class-dependent clips with noise from the view's RNG; an audio-like teacher feature, missing for some. */
export function tinySource(n: number, classes: number, clip: [number, number, number, number] = [2, 3, 3, 3], teacherDim = 6): SampleSource {
  const size = clip.reduce((a, b) => a * b);
  return {
    length: n,
    clipShape: clip,
    get(index: number, view: SampleView): TrainingSample {
      const label = index % classes;
      const rng: Rng | null = view.kind === 'train' ? view.rng : null;
      const video = new Float32Array(size);
      for (let i = 0; i < size; i++) video[i] = Math.sin(i * (label + 1) * 0.7) + (rng ? (rng.next() - 0.5) * 0.5 : 0);
      const audio =
        index % 7 === 3 ? null : Float32Array.from({ length: teacherDim }, (_, k) => Math.max(0, Math.cos(k * (label + 1)) + ((index * 31 + k) % 5) * 0.05));
      return { id: `v${index}`, label, video, teachers: { audio } };
    },
  };
}
