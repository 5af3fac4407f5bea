import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import { ModuleEncoder } from '../encoder';
import { addRelu } from '../ops/activations';
import { BatchNorm } from '../nn/batchnorm';
import type { ForwardContext } from '../nn/context';
import { FactorisedConv, intermediateChannels, type FactorisedConvConfig } from '../nn/factorised-conv';
import { Linear } from '@ccl/base';
import { linearInStore } from '../nn/linear';
import { ParameterStore, countTrainable, type ParamSpec } from '../nn/parameters';
import { registerEncoder } from '../registry';

/** Blocks per stage (conv2..conv5) for each supported depth (METHOD §5). */
export const R2PLUS1D_STAGE_BLOCKS: Readonly<Record<number, readonly number[]>> = {
  18: [1, 1, 1, 1],
  34: [3, 4, 6, 3],
};

/** Channels of stem, conv2, conv3, conv4, conv5 at width multiplier 1. */
const STAGE_CHANNELS = [64, 64, 128, 256, 512] as const;

export interface R2plus1dOptions {
  /** 18 (one block per stage, the reference's "r21d-18") or 34 (3, 4, 6, 3 blocks). Default 18. */
  depth?: number;
  /** classes of the `linear` head; 0 (default) = no classifier, features only. */
  numClasses?: number;
  /** scales every stage's channel count: c -> max(1, round(c * widthMultiplier)). Default 1. */
  widthMultiplier?: number;
  /** clip length T; when given, inputs with another T are rejected. */
  frames?: number;
  /** frame height = width; when given, inputs of another size are rejected. */
  inputSize?: number;
  /** seed of the (torch-default) random initialisation. */
  seed?: number;
}

function scaled(channels: number, multiplier: number): number {
  return Math.max(1, Math.round(channels * multiplier));
}

function factorised(
  name: string,
  cin: number,
  cout: number,
  t: number,
  k: number,
  stride: { t: number; s: number },
  padding: { t: number; s: number },
): FactorisedConvConfig {
  return { name, in: cin, mid: intermediateChannels(cin, cout, t, k), out: cout, kernel: { t, k }, stride, padding };
}

/**
 * The reference's SpatioTemporalResBlock (torch names under `<name>.`):
 *     [downsampleconv: (2+1)D 1x1x1 conv stride 2, downsamplebn]   when downsampling
 *     conv1: (2+1)D 3x3x3 conv (stride 2 when downsampling), bn1, relu1
 *     conv2: (2+1)D 3x3x3 conv, bn2
 *     out = relu(shortcut(x) + bn2(conv2(relu(bn1(conv1(x))))))
 */
class ResBlock {
  readonly downsampleConv: FactorisedConv | null;
  readonly downsampleBn: BatchNorm | null;
  readonly conv1: FactorisedConv;
  readonly bn1: BatchNorm;
  readonly conv2: FactorisedConv;
  readonly bn2: BatchNorm;

  constructor(store: ParameterStore, name: string, cin: number, cout: number, downsample: boolean) {
    if (downsample) {
      this.downsampleConv = new FactorisedConv(store, factorised(`${name}.downsampleconv`, cin, cout, 1, 1, { t: 2, s: 2 }, { t: 0, s: 0 }));
      this.downsampleBn = new BatchNorm(store, `${name}.downsamplebn`, cout);
    } else {
      if (cin !== cout) throw new Error(`${name}: a block without downsampling needs equal in/out channels (${cin} vs ${cout})`);
      this.downsampleConv = null;
      this.downsampleBn = null;
    }
    const first = downsample ? 2 : 1;
    this.conv1 = new FactorisedConv(store, factorised(`${name}.conv1`, cin, cout, 3, 3, { t: first, s: first }, { t: 1, s: 1 }));
    this.bn1 = new BatchNorm(store, `${name}.bn1`, cout);
    this.conv2 = new FactorisedConv(store, factorised(`${name}.conv2`, cout, cout, 3, 3, { t: 1, s: 1 }, { t: 1, s: 1 }));
    this.bn2 = new BatchNorm(store, `${name}.bn2`, cout);
  }

  /** [B, T, H, W, Cin] -> [B, T', H', W', Cout] */
  apply(x: tf.Tensor5D, ctx: ForwardContext): tf.Tensor5D {
    const h = this.conv1.applyWithBatchNorm(x, this.bn1, ctx, true);
    const r = this.conv2.applyWithBatchNorm(h, this.bn2, ctx, false);
    const shortcut = this.downsampleConv === null ? x : this.downsampleConv.applyWithBatchNorm(x, this.downsampleBn!, ctx, false);
    return addRelu(shortcut, r);
  }

  factorisedConvs(): FactorisedConv[] {
    return [...(this.downsampleConv === null ? [] : [this.downsampleConv]), this.conv1, this.conv2];
  }

  batchNorms(): BatchNorm[] {
    const own = [this.conv1.bn, this.bn1, this.conv2.bn, this.bn2];
    return this.downsampleConv === null ? own : [this.downsampleConv.bn, this.downsampleBn!, ...own];
  }
}

/** The reference's SpatioTemporalResLayer: `<name>.block1` then `<name>.blocks.0 .. blocks.{n-2}`. */
class ResStage {
  readonly blocks: ResBlock[];

  constructor(store: ParameterStore, name: string, cin: number, cout: number, count: number, downsample: boolean) {
    this.blocks = [new ResBlock(store, `${name}.block1`, cin, cout, downsample)];
    for (let i = 0; i < count - 1; i++) this.blocks.push(new ResBlock(store, `${name}.blocks.${i}`, cout, cout, false));
  }

  apply(x: tf.Tensor5D, ctx: ForwardContext): tf.Tensor5D {
    return this.blocks.reduce((h, block) => block.apply(h, ctx), x);
  }
}

/**
 * R(2+1)D student (Tran et al., CVPR 2018), exactly the CCL authors' "r21d" (METHOD §5):
 *     conv1: (2+1)D conv 3 -> 64, kernel (3, 7, 7), stride (1, 2, 2), pad (1, 3, 3); bn1; ReLU
 *     conv2..conv5: residual stages (64, 128, 256, 512 channels), conv3..conv5 halve T, H and W
 *     global average pool over (T, H, W) -> features [B, 512]; linear(512, numClasses) -> logits
 * Input video [B, T, H, W, 3] (channels last; torch's [B, 3, T, H, W] transposed by (0, 2, 3, 4, 1)).
 */
export class R2plus1d extends ModuleEncoder {
  readonly featureDim: number;
  readonly inputLayout = '[B, T, H, W, 3]';
  readonly depth: number;
  protected readonly classifier: Linear | null;
  private readonly conv1: FactorisedConv;
  private readonly bn1: BatchNorm;
  private readonly stages: ResStage[];

  constructor(
    name: string,
    private readonly options: R2plus1dOptions = {},
    allocate = true,
  ) {
    super(name, new ParameterStore(allocate, options.seed));
    const depth = options.depth ?? 18;
    const perStage = R2PLUS1D_STAGE_BLOCKS[depth];
    if (perStage === undefined) throw new Error(`${name}: unsupported depth ${depth} (supported: ${Object.keys(R2PLUS1D_STAGE_BLOCKS).join(', ')})`);
    const multiplier = options.widthMultiplier ?? 1;
    if (!(multiplier > 0)) throw new Error(`${name}: widthMultiplier must be > 0, got ${multiplier}`);
    const numClasses = options.numClasses ?? 0;
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new Error(`${name}: numClasses must be an integer >= 0, got ${numClasses}`);
    this.depth = depth;
    const [c1, c2, c3, c4, c5] = STAGE_CHANNELS.map((c) => scaled(c, multiplier)) as [number, number, number, number, number];
    // The stem's input is the video: no gradient is needed for it.
    this.conv1 = new FactorisedConv(this.store, factorised('conv1', 3, c1, 3, 7, { t: 1, s: 2 }, { t: 1, s: 3 }), { inputGradient: false });
    this.bn1 = new BatchNorm(this.store, 'bn1', c1);
    this.stages = [
      new ResStage(this.store, 'conv2', c1, c2, perStage[0]!, false),
      new ResStage(this.store, 'conv3', c2, c3, perStage[1]!, true),
      new ResStage(this.store, 'conv4', c3, c4, perStage[2]!, true),
      new ResStage(this.store, 'conv5', c4, c5, perStage[3]!, true),
    ];
    this.featureDim = c5;
    this.classifier = numClasses > 0 ? new Linear('linear', c5, numClasses, linearInStore(this.store)) : null;
  }

  /** Geometry of every factorised conv, in torch registration order (the golden `r21d` table). */
  factorisedConvs(): FactorisedConvConfig[] {
    const convs = [this.conv1, ...this.stages.flatMap((s) => s.blocks.flatMap((b) => b.factorisedConvs()))];
    return convs.map((c) => c.config);
  }

  protected batchNorms(): BatchNorm[] {
    return [this.conv1.bn, this.bn1, ...this.stages.flatMap((s) => s.blocks.flatMap((b) => b.batchNorms()))];
  }

  protected checkInput(x: tf.Tensor): void {
    const where = `${this.name}: input`;
    if (x.rank !== 5) throw new Error(`${where} must be a video [B, T, H, W, 3], got rank ${x.rank} shape [${x.shape.join(', ')}]`);
    const [, t, h, w, c] = x.shape as number[];
    if (c !== 3) throw new Error(`${where} must have 3 channels last ([B, T, H, W, 3]), got shape [${x.shape.join(', ')}]`);
    if (this.options.frames !== undefined && t !== this.options.frames)
      throw new Error(`${where} has ${t} frames, this encoder was built for ${this.options.frames}`);
    if (this.options.inputSize !== undefined && (h !== this.options.inputSize || w !== this.options.inputSize)) {
      throw new Error(`${where} frames are ${h}x${w}, this encoder was built for ${this.options.inputSize}x${this.options.inputSize}`);
    }
  }

  /**
   * Output of each residual stage conv2..conv5 (eval mode unless `training`), for inspection:
   * [B, T, H/2, W/2, 64], [B, T/2, H/4, W/4, 128], [B, T/4, H/8, W/8, 256], [B, T/8, H/16, W/16, 512]
   * (ceil divisions). Caller disposes.
   */
  stageOutputs(x: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor5D[] {
    this.checkInput(x);
    const ctx: ForwardContext = { training: options.training ?? this.isTraining };
    return tf.tidy(() => {
      const outs: tf.Tensor5D[] = [];
      this.forwardStages(x, ctx, outs);
      return outs;
    });
  }

  private forwardStages(x: tf.Tensor, ctx: ForwardContext, outs: tf.Tensor5D[] | null): tf.Tensor5D {
    const video = (x.dtype === 'float32' ? x : tf.cast(x, 'float32')) as tf.Tensor5D;
    let h = this.conv1.applyWithBatchNorm(video, this.bn1, ctx, true); // [B, T, H/2, W/2, 64]
    for (const stage of this.stages) {
      h = stage.apply(h, ctx);
      outs?.push(h);
    }
    return h; // [B, T/8, H/16, W/16, 512]
  }

  /** [B, T, H, W, 3] -> [B, D] */
  protected forwardFeatures(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D {
    return tf.mean(this.forwardStages(x, ctx, null), [1, 2, 3]) as tf.Tensor2D; // [B, 512]
  }
}

export interface R2plus1dDescription {
  readonly params: ParamSpec[];
  readonly factorisedConvs: FactorisedConvConfig[];
  /** trainable parameter count. */
  readonly parameters: number;
  readonly trainableTensors: number;
}

/** Parameter table and conv geometry of an R(2+1)D without allocating it (any size). */
export function describeR2plus1d(options: R2plus1dOptions = {}): R2plus1dDescription {
  const model = new R2plus1d(`r2plus1d-${options.depth ?? 18}`, options, false);
  const params = model.describe();
  return { params, factorisedConvs: model.factorisedConvs(), parameters: countTrainable(params), trainableTensors: params.filter((p) => p.trainable).length };
}

const R2PLUS1D_OPTION_KEYS = keysOf<Omit<R2plus1dOptions, 'depth'>>({ numClasses: true, widthMultiplier: true, frames: true, inputSize: true, seed: true });
for (const depth of [18, 34]) {
  registerEncoder(`r2plus1d-${depth}`, (options = {}) => new R2plus1d(`r2plus1d-${depth}`, { ...(options as R2plus1dOptions), depth }), {
    optionKeys: R2PLUS1D_OPTION_KEYS,
  });
}
