import * as tf from '@tensorflow/tfjs-core';
import { keysOf } from '@ccl/base';
import { ModuleEncoder, type InputConvention } from '../encoder';
import { maxPool2d } from '../ops/conv';
import { addRelu } from '../ops/activations';
import { BatchNorm } from '../nn/batchnorm';
import type { ForwardContext } from '../nn/context';
import { Conv2d } from '../nn/conv2d';
import { Linear } from '@ccl/base';
import { linearInStore } from '../nn/linear';
import { ParameterStore, countTrainable, type ParamSpec } from '../nn/parameters';
import { registerEncoder } from '../registry';

/** torchvision's ImageNet normalisation statistics (RGB). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** BasicBlocks per stage (layer1..layer4) of torchvision's ResNets. */
export const RESNET_STAGE_BLOCKS: Readonly<Record<number, readonly number[]>> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
};

export interface ResnetOptions {
  /** 18 or 34 (default 18). */
  depth?: number;
  /** classes of the `fc` head; 0 (default) = fc dropped, features only (the CCL image teacher). */
  numClasses?: number;
  /** scales channel counts c -> max(1, round(c * widthMultiplier)) (small test configurations). Default 1. */
  widthMultiplier?: number;
  /** when given, images of another size are rejected. */
  inputSize?: number;
  /**
   * 'imagenet': inputs are RGB in [0, 1] and are normalised with torchvision's ImageNet statistics
   * (x - mean) / std, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225). 'none' (default): inputs are
   * already normalised.
   */
  normalize?: 'imagenet' | 'none';
  /**
   * With normalize 'none': the RGB mean and std the caller normalises inputs with, i.e. those the weights
   * were trained on (default ImageNet's, torchvision's weights; the demo's teacher: the Kinetics statistics
   * of the student's clips). Only declared (`inputConvention`), never applied by the encoder.
   */
  inputStats?: { mean: number[]; std: number[] };
  seed?: number;
}

/**
 * torchvision BasicBlock (He et al., CVPR 2016), names under `<name>.`:
 *     conv1 3x3 (stride s), bn1, ReLU, conv2 3x3, bn2; downsample.0 (1x1 conv, stride s) + downsample.1 (BN)
 *     when the stride or width changes; out = ReLU(shortcut + residual)
 */
class BasicBlock {
  private readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  private readonly downsampleConv: Conv2d | null;
  readonly downsampleBn: BatchNorm | null;

  constructor(store: ParameterStore, name: string, cin: number, cout: number, stride: number) {
    this.conv1 = new Conv2d(store, `${name}.conv1`, cin, cout, 3, stride, 1);
    this.bn1 = new BatchNorm(store, `${name}.bn1`, cout);
    this.conv2 = new Conv2d(store, `${name}.conv2`, cout, cout, 3, 1, 1);
    this.bn2 = new BatchNorm(store, `${name}.bn2`, cout);
    const needsDownsample = stride !== 1 || cin !== cout;
    this.downsampleConv = needsDownsample ? new Conv2d(store, `${name}.downsample.0`, cin, cout, 1, stride, 0) : null;
    this.downsampleBn = needsDownsample ? new BatchNorm(store, `${name}.downsample.1`, cout) : null;
  }

  /** [B, H, W, Cin] -> [B, H', W', Cout] */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = this.conv1.applyWithBatchNorm(x, this.bn1, ctx, true);
    const r = this.conv2.applyWithBatchNorm(h, this.bn2, ctx, false);
    const shortcut = this.downsampleConv === null ? x : this.downsampleConv.applyWithBatchNorm(x, this.downsampleBn!, ctx, false);
    return addRelu(shortcut, r);
  }

  batchNorms(): BatchNorm[] {
    return [this.bn1, this.bn2, ...(this.downsampleBn === null ? [] : [this.downsampleBn])];
  }
}

/**
 * torchvision ResNet-18/34 image teacher with torchvision state-dict names (`conv1`, `bn1`,
 * `layer1.0.conv1`, ..., `layer2.0.downsample.0`, `fc`):
 *     conv1 7x7/2 pad 3, bn1, ReLU, maxpool 3x3/2 pad 1, layer1..layer4 (64, 128, 256, 512; /2 from layer2),
 *     global average pool -> features [B, 512]; fc -> logits when numClasses > 0.
 * Input images [B, H, W, 3] (channels last), normalised as the checkpoint expects (torchvision: ImageNet
 * mean/std on [0, 1] RGB).
 */
export class Resnet extends ModuleEncoder {
  readonly featureDim: number;
  readonly inputLayout = '[B, H, W, 3]';
  protected readonly classifier: Linear | null;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly blocks: BasicBlock[] = [];

  constructor(
    name: string,
    private readonly options: ResnetOptions = {},
    allocate = true,
  ) {
    super(name, new ParameterStore(allocate, options.seed));
    const depth = options.depth ?? 18;
    const perStage = RESNET_STAGE_BLOCKS[depth];
    if (perStage === undefined) throw new Error(`${name}: unsupported depth ${depth} (supported: ${Object.keys(RESNET_STAGE_BLOCKS).join(', ')})`);
    const multiplier = options.widthMultiplier ?? 1;
    if (!(multiplier > 0)) throw new Error(`${name}: widthMultiplier must be > 0, got ${multiplier}`);
    const numClasses = options.numClasses ?? 0;
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new Error(`${name}: numClasses must be an integer >= 0, got ${numClasses}`);
    checkInputStats(name, options);
    const widths = [64, 128, 256, 512].map((c) => Math.max(1, Math.round(c * multiplier)));
    this.conv1 = new Conv2d(this.store, 'conv1', 3, widths[0]!, 7, 2, 3, { inputGradient: false }); // input = images: no gradient needed
    this.bn1 = new BatchNorm(this.store, 'bn1', widths[0]!);
    let cin = widths[0]!;
    perStage.forEach((count, stage) => {
      const cout = widths[stage]!;
      for (let b = 0; b < count; b++) {
        this.blocks.push(new BasicBlock(this.store, `layer${stage + 1}.${b}`, cin, cout, b === 0 && stage > 0 ? 2 : 1));
        cin = cout;
      }
    });
    this.featureDim = cin;
    this.classifier = numClasses > 0 ? new Linear('fc', cin, numClasses, linearInStore(this.store)) : null;
  }

  /**
   * torchvision's convention: RGB in [0, 1] normalised with ImageNet mean/std, by the caller, or by the
   * encoder itself with `normalize: 'imagenet'` (then the caller only scales to [0, 1]); weights trained on
   * other statistics declare them with `inputStats`.
   */
  get inputConvention(): InputConvention {
    const stats = this.options.inputStats;
    if (this.options.normalize === 'imagenet')
      return { kind: 'images', mean: [0, 0, 0], std: [1, 1, 1], description: 'RGB in [0, 1] (the encoder applies ImageNet mean/std itself)' };
    if (stats)
      return {
        kind: 'images',
        mean: [...stats.mean],
        std: [...stats.std],
        description: `RGB in [0, 1] normalised with mean [${stats.mean.join(', ')}] std [${stats.std.join(', ')}] (the weights' inputStats)`,
      };
    return {
      kind: 'images',
      mean: [...IMAGENET_MEAN],
      std: [...IMAGENET_STD],
      description: 'RGB in [0, 1] normalised with ImageNet mean/std (torchvision weights)',
    };
  }

  protected batchNorms(): BatchNorm[] {
    return [this.bn1, ...this.blocks.flatMap((b) => b.batchNorms())];
  }

  protected checkInput(x: tf.Tensor): void {
    const where = `${this.name}: input`;
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${where} must be images [B, H, W, 3], got shape [${x.shape.join(', ')}]`);
    const size = this.options.inputSize;
    if (size !== undefined && (x.shape[1] !== size || x.shape[2] !== size))
      throw new Error(`${where} is ${x.shape[1]}x${x.shape[2]}, this encoder was built for ${size}x${size}`);
  }

  /** [B, H, W, 3] -> [B, 512] */
  protected forwardFeatures(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D {
    let images = (x.dtype === 'float32' ? x : tf.cast(x, 'float32')) as tf.Tensor4D;
    if (this.options.normalize === 'imagenet') images = tf.div(tf.sub(images, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD]));
    let h = this.conv1.applyWithBatchNorm(images, this.bn1, ctx, true); // [B, H/2, W/2, 64]
    h = maxPool2d(h, 3, 2, 1); // [B, H/4, W/4, 64]
    for (const block of this.blocks) h = block.apply(h, ctx);
    return tf.mean(h, [1, 2]) as tf.Tensor2D; // [B, 512]
  }
}

function checkInputStats(name: string, options: ResnetOptions): void {
  const stats = options.inputStats;
  if (stats === undefined) return;
  const three = (v: unknown, positive: boolean) => Array.isArray(v) && v.length === 3 && v.every((x) => Number.isFinite(x) && (!positive || x > 0));
  if (typeof stats !== 'object' || stats === null || !three(stats.mean, false) || !three(stats.std, true))
    throw new Error(`${name}: inputStats must be { mean: [r, g, b], std: [r, g, b] } with std > 0, got ${JSON.stringify(stats)}`);
  if (options.normalize === 'imagenet') throw new Error(`${name}: inputStats declares how inputs arrive normalised; it cannot go with normalize: 'imagenet'`);
}

/** Parameter specs and trainable count of a ResNet without allocating it. */
export function describeResnet(options: ResnetOptions = {}): { params: ParamSpec[]; parameters: number } {
  const params = new Resnet(`resnet${options.depth ?? 18}`, options, false).describe();
  return { params, parameters: countTrainable(params) };
}

const RESNET_OPTION_KEYS = keysOf<Omit<ResnetOptions, 'depth'>>({
  numClasses: true,
  widthMultiplier: true,
  inputSize: true,
  normalize: true,
  inputStats: true,
  seed: true,
});
for (const depth of [18, 34]) {
  registerEncoder(`resnet${depth}`, (options = {}) => new Resnet(`resnet${depth}`, { ...(options as ResnetOptions), depth }), {
    optionKeys: RESNET_OPTION_KEYS,
  });
}
