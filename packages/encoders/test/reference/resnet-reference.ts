/**
 * Float64 forward pass of torchvision's ResNet-18/34 from its state-dict names (independent of the tfjs
 * implementation). Input torch layout [B, 3, H, W]; returns pooled features [B, 512] (fc dropped).
 */
import type { NdDict } from './r2plus1d-reference';
import { addRef, batchNormRef, conv2dRef, globalAvgPoolRef, maxPool2dRef, reluRef, type BnParams, type Nd } from './torch-reference';

function bn(dict: NdDict, name: string): BnParams {
  return { weight: dict[`${name}.weight`]!, bias: dict[`${name}.bias`]!, runningMean: dict[`${name}.running_mean`]!, runningVar: dict[`${name}.running_var`]! };
}

export function resnetFeaturesRef(dict: NdDict, x: Nd, blocksPerStage: number[]): Nd {
  let h = reluRef(batchNormRef(conv2dRef(x, dict['conv1.weight']!, 2, 3), bn(dict, 'bn1'), false));
  h = maxPool2dRef(h, 3, 2, 1);
  blocksPerStage.forEach((count, stage) => {
    for (let b = 0; b < count; b++) {
      const name = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      let r = reluRef(batchNormRef(conv2dRef(h, dict[`${name}.conv1.weight`]!, stride, 1), bn(dict, `${name}.bn1`), false));
      r = batchNormRef(conv2dRef(r, dict[`${name}.conv2.weight`]!, 1, 1), bn(dict, `${name}.bn2`), false);
      const down = dict[`${name}.downsample.0.weight`];
      const shortcut = down === undefined ? h : batchNormRef(conv2dRef(h, down, stride, 0), bn(dict, `${name}.downsample.1`), false);
      h = reluRef(addRef(shortcut, r));
    }
  });
  return globalAvgPoolRef(h);
}
