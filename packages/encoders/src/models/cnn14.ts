import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import { melFilterbank, stftKernels } from '../audio/filters';
import { ModuleEncoder, type InputConvention } from '../encoder';
import { relu } from '../nn/activations';
import { BatchNorm } from '../nn/batchnorm';
import type { ForwardContext } from '../nn/context';
import { Conv2d } from '../nn/conv2d';
import { conv1dLayout, identityLayout } from '../nn/layouts';
import { Linear } from '@ccl/base';
import { linearInStore } from '../nn/linear';
import { ParameterStore, countTrainable, type Param, type ParamSpec } from '../nn/parameters';
import { avgPool2d, framedConv1d } from '../ops/conv';
import { registerEncoder } from '../registry';

export interface Cnn14Options {
  /** Hz (PANNs: 32000). */
  sampleRate?: number;
  /** STFT window = n_fft (PANNs: 1024). */
  windowSize?: number;
  /** STFT hop (PANNs: 320). */
  hopSize?: number;
  /** mel bins (PANNs: 64); bn0 normalises over them. */
  melBins?: number;
  fMin?: number;
  fMax?: number;
  /** fc1 output = embedding size: 512 (default, Cnn14_emb512) or 2048 (Cnn14). */
  embeddingDim?: number;
  /** classes of `fc_audioset` (527 for AudioSet checkpoints); 0 (default) = no classifier. */
  numClasses?: number;
  /** scales conv widths and the embedding (small test configurations). Default 1. */
  widthMultiplier?: number;
  seed?: number;
}

const BLOCK_CHANNELS = [64, 128, 256, 512, 1024, 2048] as const;
const AMIN = 1e-10;

/** PANNs ConvBlock: conv1 3x3, bn1, ReLU, conv2 3x3, bn2, ReLU, avg-pool. */
class ConvBlock {
  private readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  readonly bn2: BatchNorm;

  constructor(
    store: ParameterStore,
    name: string,
    cin: number,
    cout: number,
    private readonly pool: [number, number],
  ) {
    this.conv1 = new Conv2d(store, `${name}.conv1`, cin, cout, 3, 1, 1);
    this.bn1 = new BatchNorm(store, `${name}.bn1`, cout);
    this.conv2 = new Conv2d(store, `${name}.conv2`, cout, cout, 3, 1, 1);
    this.bn2 = new BatchNorm(store, `${name}.bn2`, cout);
  }

  /** [B, T, M, Cin] -> [B, T / p, M / p, Cout] */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = this.conv1.applyWithBatchNorm(x, this.bn1, ctx, true);
    return avgPool2d(this.conv2.applyWithBatchNorm(h, this.bn2, ctx, true), this.pool);
  }
}

/**
 * PANNs Cnn14 audio teacher (Kong et al. 2020) with the `emb512` head by default, PANNs state-dict names:
 *     waveform [B, L] (mono, sampleRate Hz)
 *     -> STFT power |X|^2 (torchlibrosa: reflect-pad nFft/2, periodic Hann, framed DFT as conv1d kernels
 *        `spectrogram_extractor.stft.conv_{real,imag}.weight`) [B, frames, nFft/2+1]
 *     -> mel = power @ `logmel_extractor.melW` [B, frames, mel]; 10 log10(max(mel, 1e-10))   (ref 1, no top_db)
 *     -> `bn0` over mel bins -> conv_block1..6 (64..2048, 2x2 avg-pool except block 6)
 *     -> mean over mel, then max + mean over time -> [B, 2048]
 *     -> `fc1` + ReLU -> embedding [B, 512];  `fc_audioset` -> logits (pre-sigmoid) when numClasses > 0.
 * Dropout and SpecAugment (training-only in PANNs) are not applied: the teacher runs frozen.
 * The front-end matrices are buffers here (trainable false, excluded from countParams, as PANNs freezes them)
 * but they are part of the state dict so PANNs checkpoints load with strict: true.
 */
export class Cnn14 extends ModuleEncoder {
  readonly featureDim: number;
  readonly inputLayout = '[B, L] (mono waveform)';
  protected readonly classifier: Linear | null;
  readonly sampleRate: number;
  private readonly nFft: number;
  private readonly hop: number;
  private readonly stftReal: Param;
  private readonly stftImag: Param;
  private readonly melW: Param;
  private readonly bn0: BatchNorm;
  private readonly blocks: ConvBlock[];
  private readonly fc1: Linear;

  constructor(name: string, options: Cnn14Options = {}, allocate = true) {
    super(name, new ParameterStore(allocate, options.seed));
    this.sampleRate = options.sampleRate ?? 32000;
    this.nFft = options.windowSize ?? 1024;
    this.hop = options.hopSize ?? 320;
    const melBins = options.melBins ?? 64;
    const fMin = options.fMin ?? 50;
    const fMax = options.fMax ?? 14000;
    const multiplier = options.widthMultiplier ?? 1;
    const numClasses = options.numClasses ?? 0;
    if (!(multiplier > 0)) throw new Error(`${name}: widthMultiplier must be > 0, got ${multiplier}`);
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new Error(`${name}: numClasses must be an integer >= 0, got ${numClasses}`);
    if (!(fMax <= this.sampleRate / 2 && fMin >= 0 && fMin < fMax))
      throw new Error(`${name}: need 0 <= fMin < fMax <= sampleRate / 2, got ${fMin}, ${fMax}, ${this.sampleRate}`);
    const kernels = stftKernels(this.nFft);
    const fixed = (n: string, torchShape: number[], values: Float32Array, layout = identityLayout): Param =>
      this.store.add({ name: n, torchShape, layout, trainable: false, init: { kind: 'values', values } });
    this.stftReal = fixed('spectrogram_extractor.stft.conv_real.weight', [kernels.bins, 1, this.nFft], kernels.real, conv1dLayout);
    this.stftImag = fixed('spectrogram_extractor.stft.conv_imag.weight', [kernels.bins, 1, this.nFft], kernels.imag, conv1dLayout);
    this.melW = fixed('logmel_extractor.melW', [kernels.bins, melBins], melFilterbank(this.sampleRate, this.nFft, melBins, fMin, fMax));
    this.bn0 = new BatchNorm(this.store, 'bn0', melBins);
    const widths = BLOCK_CHANNELS.map((c) => Math.max(1, Math.round(c * multiplier)));
    let cin = 1;
    this.blocks = widths.map((cout, i) => {
      const block = new ConvBlock(this.store, `conv_block${i + 1}`, cin, cout, i < 5 ? [2, 2] : [1, 1]);
      cin = cout;
      return block;
    });
    this.featureDim = Math.max(1, Math.round((options.embeddingDim ?? 512) * multiplier));
    this.fc1 = new Linear('fc1', cin, this.featureDim, linearInStore(this.store));
    this.classifier = numClasses > 0 ? new Linear('fc_audioset', this.featureDim, numClasses, linearInStore(this.store)) : null;
  }

  /** PANNs' convention: mono waveforms at the front end's sample rate (32 kHz for the released weights). */
  get inputConvention(): InputConvention {
    return { kind: 'waveform', sampleRate: this.sampleRate, description: `mono waveform at ${this.sampleRate} Hz` };
  }

  protected batchNorms(): BatchNorm[] {
    return [this.bn0, ...this.blocks.flatMap((b) => [b.bn1, b.bn2])];
  }

  protected checkInput(x: tf.Tensor): void {
    if (x.rank !== 2) throw new Error(`${this.name}: input must be mono waveforms [B, L], got shape [${x.shape.join(', ')}]`);
    const pad = Math.floor(this.nFft / 2);
    if (x.shape[1]! <= pad)
      throw new Error(`${this.name}: waveforms of ${x.shape[1]} samples are too short for reflect padding of ${pad} (window ${this.nFft})`);
  }

  /**
   * Log-mel spectrogram (PANNs front end, before bn0).
   * @param x [B, L]
   * @returns [B, frames, mel], frames = floor(L / hop) + 1
   */
  logMel(x: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const pad = Math.floor(this.nFft / 2);
      const padded = tf.mirrorPad(
        x,
        [
          [0, 0],
          [pad, pad],
        ],
        'reflect',
      ); // [B, L + nFft]
      const real = framedConv1d(padded, this.stftReal.variable as tf.Tensor3D, this.hop); // [B, frames, bins]
      const imag = framedConv1d(padded, this.stftImag.variable as tf.Tensor3D, this.hop);
      const power = tf.add(tf.square(real), tf.square(imag)); // [B, frames, bins]
      const [b, frames, bins] = power.shape;
      const mel = tf.matMul(tf.reshape(power, [b * frames, bins]), this.melW.variable as tf.Tensor2D); // [B*frames, mel]
      const db = tf.mul(tf.log(tf.maximum(mel, AMIN)), 10 / Math.LN10); // 10 log10, ref 1
      return tf.reshape(db, [b, frames, this.melW.spec.torchShape[1]!]) as tf.Tensor3D;
    });
  }

  /** [B, L] -> [B, embeddingDim] */
  protected forwardFeatures(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D {
    const wave = (x.dtype === 'float32' ? x : tf.cast(x, 'float32')) as tf.Tensor2D;
    const mel = this.bn0.apply(this.logMel(wave), ctx); // [B, T, M], bn0 over mel bins
    let h = tf.expandDims(mel, 3) as tf.Tensor4D; // [B, T, M, 1]
    for (const block of this.blocks) h = block.apply(h, ctx); // [B, T', M', 2048]
    const overMel = tf.mean(h, 2); // [B, T', 2048]
    const pooled = tf.add(tf.max(overMel, 1), tf.mean(overMel, 1)) as tf.Tensor2D; // [B, 2048]
    return relu(this.fc1.apply(pooled)); // [B, 512]
  }
}

/** Parameter specs and trainable count of a Cnn14 without allocating it. */
export function describeCnn14(options: Cnn14Options = {}): { params: ParamSpec[]; parameters: number } {
  const params = new Cnn14('cnn14', options, false).describe();
  return { params, parameters: countTrainable(params) };
}

const CNN14_OPTION_KEYS = keysOf<Cnn14Options>({
  sampleRate: true,
  windowSize: true,
  hopSize: true,
  melBins: true,
  fMin: true,
  fMax: true,
  embeddingDim: true,
  numClasses: true,
  widthMultiplier: true,
  seed: true,
});
registerEncoder('cnn14', (options = {}) => new Cnn14('cnn14', options as Cnn14Options), { optionKeys: CNN14_OPTION_KEYS });
