/**
 * Float64 forward pass of PANNs Cnn14 (eval mode) from its state-dict names, independent of the tfjs
 * implementation: the STFT is a direct DFT sum with its own periodic Hann window (the checkpoint's
 * conv_real/conv_imag kernels are not used), mel projection with the checkpoint's melW.
 */
import type { NdDict } from './r2plus1d-reference';
import { batchNormRef, conv2dRef, linearRef, nd, reluRef, type BnParams, type Nd } from './torch-reference';

function bn(dict: NdDict, name: string): BnParams {
  return { weight: dict[`${name}.weight`]!, bias: dict[`${name}.bias`]!, runningMean: dict[`${name}.running_mean`]!, runningVar: dict[`${name}.running_var`]! };
}

/** torchlibrosa Spectrogram (center, reflect, hann, power 2): [L] -> [frames, nFft/2+1]. */
export function powerSpectrogramRef(x: ArrayLike<number>, nFft: number, hop: number): number[][] {
  const l = x.length;
  const p = Math.floor(nFft / 2);
  const at = (i: number): number => x[i < 0 ? -i : i >= l ? 2 * (l - 1) - i : i]!;
  const frames = Math.floor((l + 2 * p - nFft) / hop) + 1;
  const bins = p + 1;
  const out: number[][] = [];
  for (let f = 0; f < frames; f++) {
    const row: number[] = [];
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < nFft; n++) {
        const v = at(f * hop - p + n) * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft));
        re += v * Math.cos((2 * Math.PI * n * k) / nFft);
        im -= v * Math.sin((2 * Math.PI * n * k) / nFft);
      }
      row.push(re * re + im * im);
    }
    out.push(row);
  }
  return out;
}

function avgPool2x2(x: Nd): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const y = nd([n, c, oh, ow]);
  for (let b = 0; b < n * c; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let s = 0;
        for (let a = 0; a < 2; a++) for (let d = 0; d < 2; d++) s += x.data[(b * h + 2 * i + a) * w + 2 * j + d]!;
        y.data[(b * oh + i) * ow + j] = s / 4;
      }
  return y;
}

/** waveforms [B][L] -> { embedding [B, E], logits [B, K] } */
export function cnn14Ref(dict: NdDict, waves: ArrayLike<number>[], nFft: number, hop: number): { embedding: Nd; logits: Nd | null } {
  const melW = dict['logmel_extractor.melW']!;
  const [bins, mels] = melW.shape as [number, number];
  const bn0 = bn(dict, 'bn0');
  const specs = waves.map((w) => powerSpectrogramRef(w, nFft, hop));
  const frames = specs[0]!.length;
  // [B, 1, T, M] after log-mel and bn0 (channel = mel bin)
  let h = nd([waves.length, 1, frames, mels]);
  specs.forEach((spec, b) => {
    for (let t = 0; t < frames; t++)
      for (let m = 0; m < mels; m++) {
        let s = 0;
        for (let k = 0; k < bins; k++) s += spec[t]![k]! * melW.data[k * mels + m]!;
        const db = 10 * Math.log10(Math.max(s, 1e-10));
        const normed = ((db - bn0.runningMean.data[m]!) / Math.sqrt(bn0.runningVar.data[m]! + 1e-5)) * bn0.weight.data[m]! + bn0.bias.data[m]!;
        h.data[(b * frames + t) * mels + m] = normed;
      }
  });
  for (let i = 1; i <= 6; i++) {
    const name = `conv_block${i}`;
    h = reluRef(batchNormRef(conv2dRef(h, dict[`${name}.conv1.weight`]!, 1, 1), bn(dict, `${name}.bn1`), false));
    h = reluRef(batchNormRef(conv2dRef(h, dict[`${name}.conv2.weight`]!, 1, 1), bn(dict, `${name}.bn2`), false));
    if (i < 6) h = avgPool2x2(h);
  }
  const [n, c, t, m] = h.shape as [number, number, number, number];
  const pooled = nd([n, c]);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < t; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += h.data[((b * c + ch) * t + i) * m + j]!;
        max = Math.max(max, s / m);
        sum += s / m;
      }
      pooled.data[b * c + ch] = max + sum / t;
    }
  const embedding = reluRef(linearRef(pooled, dict['fc1.weight']!, dict['fc1.bias']!));
  const logits = dict['fc_audioset.weight'] === undefined ? null : linearRef(embedding, dict['fc_audioset.weight']!, dict['fc_audioset.bias']!);
  return { embedding, logits };
}
