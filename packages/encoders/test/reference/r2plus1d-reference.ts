/**
 * Float64 forward pass of the reference R(2+1)D ("r21d", METHOD §5) written directly from its torch
 * state-dict names, independent of the tfjs implementation. Input torch layout [B, 3, T, H, W].
 */
import { addRef, batchNormRef, conv3d, globalAvgPoolRef, linearRef, reluRef, type BnParams, type Nd } from './torch-reference';

export type NdDict = Record<string, Nd>;

function bn(dict: NdDict, name: string): BnParams {
  const get = (k: string): Nd => {
    const v = dict[`${name}.${k}`];
    if (v === undefined) throw new Error(`reference: missing ${name}.${k}`);
    return v;
  };
  return { weight: get('weight'), bias: get('bias'), runningMean: get('running_mean'), runningVar: get('running_var') };
}

/** SpatioTemporalConv: conv3d(1,k,k) -> BN -> ReLU -> conv3d(t,1,1). */
export function spatioTemporalConvRef(dict: NdDict, name: string, x: Nd, stride: number, pad: number, training = false): Nd {
  const s = conv3d(x, dict[`${name}.spatial_conv.weight`]!, [1, stride, stride], [0, pad, pad]);
  const h = reluRef(batchNormRef(s, bn(dict, `${name}.bn`), training));
  return conv3d(h, dict[`${name}.temporal_conv.weight`]!, [stride, 1, 1], [pad, 0, 0]);
}

function blockRef(dict: NdDict, name: string, x: Nd, downsample: boolean, training: boolean): Nd {
  const first = downsample ? 2 : 1;
  let r = reluRef(batchNormRef(spatioTemporalConvRef(dict, `${name}.conv1`, x, first, 1, training), bn(dict, `${name}.bn1`), training));
  r = batchNormRef(spatioTemporalConvRef(dict, `${name}.conv2`, r, 1, 1, training), bn(dict, `${name}.bn2`), training);
  const shortcut = downsample
    ? batchNormRef(spatioTemporalConvRef(dict, `${name}.downsampleconv`, x, 2, 0, training), bn(dict, `${name}.downsamplebn`), training)
    : x;
  return reluRef(addRef(shortcut, r));
}

/** Features [B, D] and logits [B, K]; BatchNorm uses batch statistics when `training` (default eval). */
export function r2plus1dRef(dict: NdDict, x: Nd, blocksPerStage: number[], training = false): { features: Nd; logits: Nd } {
  // stem: kernel (3, 7, 7), stride (1, 2, 2), padding (1, 3, 3)
  const s = conv3d(x, dict['conv1.spatial_conv.weight']!, [1, 2, 2], [0, 3, 3]);
  const m = reluRef(batchNormRef(s, bn(dict, 'conv1.bn'), training));
  let h = conv3d(m, dict['conv1.temporal_conv.weight']!, [1, 1, 1], [1, 0, 0]);
  h = reluRef(batchNormRef(h, bn(dict, 'bn1'), training));
  ['conv2', 'conv3', 'conv4', 'conv5'].forEach((stage, i) => {
    h = blockRef(dict, `${stage}.block1`, h, i > 0, training);
    for (let b = 0; b < blocksPerStage[i]! - 1; b++) h = blockRef(dict, `${stage}.blocks.${b}`, h, false, training);
  });
  const features = globalAvgPoolRef(h);
  return { features, logits: linearRef(features, dict['linear.weight']!, dict['linear.bias']!) };
}
