import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, describeCnn14, hzToMel, melFilterbank, melToHz, type Cnn14 } from '../src';
import { disposeDict, maxAbsDiff, randomData, randomStateDict } from './helpers';
import { cnn14Ref, powerSpectrogramRef } from './reference/cnn14-reference';
import { nd } from './reference/torch-reference';

const tiny = { sampleRate: 8000, windowSize: 64, hopSize: 16, melBins: 32, fMin: 50, fMax: 4000, widthMultiplier: 1 / 32, numClasses: 5 };

describe('cnn14 audio teacher (PANNs)', () => {
  it('has the PANNs parameter counts (front-end matrices frozen, not counted)', () => {
    const convs = [1, 64, 128, 256, 512, 1024, 2048].slice(1).reduce((n, c, i, all) => n + 9 * ([1, ...all][i]! * c + c * c) + 4 * c, 0);
    // Cnn14 (fc1 2048 -> 2048, fc_audioset 2048 -> 527): 80,753,615 in the PANNs paper/code
    expect(describeCnn14({ embeddingDim: 2048, numClasses: 527 }).parameters).toBe(80753615);
    // Cnn14_emb512: fc1 2048 -> 512
    expect(describeCnn14({ numClasses: 527 }).parameters).toBe(convs + 128 + (2048 * 512 + 512) + (512 * 527 + 527));
  });

  it('uses PANNs state-dict names', () => {
    const shapes = new Map(describeCnn14({ numClasses: 527 }).params.map((p) => [p.name, p.torchShape]));
    expect(shapes.get('spectrogram_extractor.stft.conv_real.weight')).toEqual([513, 1, 1024]);
    expect(shapes.get('spectrogram_extractor.stft.conv_imag.weight')).toEqual([513, 1, 1024]);
    expect(shapes.get('logmel_extractor.melW')).toEqual([513, 64]);
    expect(shapes.get('bn0.running_var')).toEqual([64]);
    expect(shapes.get('conv_block1.conv1.weight')).toEqual([64, 1, 3, 3]);
    expect(shapes.get('conv_block6.bn2.weight')).toEqual([2048]);
    expect(shapes.get('fc1.weight')).toEqual([512, 2048]);
    expect(shapes.get('fc_audioset.weight')).toEqual([527, 512]);
  });

  it('builds librosa Slaney mel filters', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12);
    expect(melToHz(hzToMel(3210.5))).toBeCloseTo(3210.5, 9);
    expect(melToHz(7.5)).toBeCloseTo(500, 12);
    const sr = 32000;
    const nFft = 1024;
    const mels = 64;
    const w = melFilterbank(sr, nFft, mels, 50, 14000); // [513, 64]
    const step = (hzToMel(14000) - hzToMel(50)) / (mels + 1);
    for (const m of [30, 45, 63]) {
      const lo = melToHz(hzToMel(50) + m * step);
      const hi = melToHz(hzToMel(50) + (m + 2) * step);
      let area = 0;
      for (let k = 0; k < 513; k++) {
        const f = (k * sr) / nFft;
        const v = w[k * mels + m]!;
        if (f <= lo || f >= hi) expect(v).toBe(0);
        area += v * (sr / nFft);
      }
      expect(area).toBeCloseTo(1, 1); // Slaney normalisation: unit area in Hz
    }
  });

  it('computes the torchlibrosa power spectrogram (checked against a direct DFT)', () => {
    const enc = createEncoder('cnn14', tiny) as Cnn14;
    const l = 200;
    const waves = [randomData([l], 31), Float32Array.from({ length: l }, (_, i) => Math.sin((2 * Math.PI * 8 * i) / 64))];
    const x = tf.tensor2d([...waves[0]!, ...waves[1]!], [2, l]);
    try {
      const mel = enc.logMel(x);
      expect(mel.shape).toEqual([2, Math.floor(l / 16) + 1, 32]);
      const dict = enc.stateDict();
      const melW = dict['logmel_extractor.melW']!.dataSync();
      const got = mel.arraySync();
      waves.forEach((wave, b) => {
        const spec = powerSpectrogramRef(wave, 64, 16);
        let worst = 0;
        spec.forEach((row, t) => {
          for (let m = 0; m < 32; m++) {
            const power = row.reduce((s, v, k) => s + v * melW[k * 32 + m]!, 0);
            worst = Math.max(worst, Math.abs(got[b]![t]![m]! - 10 * Math.log10(Math.max(power, 1e-10))));
          }
        });
        expect(worst).toBeLessThan(1e-3); // dB
      });
      disposeDict(dict);
      mel.dispose();
    } finally {
      x.dispose();
      enc.dispose();
    }
  });

  it('gives the reference embedding and logits (eval mode) and does not leak', () => {
    const enc = createEncoder('cnn14', tiny) as Cnn14;
    const { dict, ref } = randomStateDict(
      enc.describe().filter((s) => s.trainable || s.name.includes('running')),
      77,
    );
    const l = 496; // 32 frames -> 1 after five 2x2 pools
    const waves = [randomData([l], 1), randomData([l], 2)].map((w) => w.map((v) => v * 0.5));
    const x = tf.tensor2d([...waves[0]!, ...waves[1]!], [2, l]);
    try {
      const report = enc.loadStateDict(dict, { strict: false });
      expect(report.missing.sort()).toEqual([
        'logmel_extractor.melW',
        'spectrogram_extractor.stft.conv_imag.weight',
        'spectrogram_extractor.stft.conv_real.weight',
      ]);
      const full = enc.stateDict();
      ref['logmel_extractor.melW'] = nd([...full['logmel_extractor.melW']!.shape], full['logmel_extractor.melW']!.dataSync());
      // bn0 sees dB values: set its running stats to the batch's per-mel-bin statistics (a realistic scale)
      const stats = tf.tidy(() => tf.moments(enc.logMel(x), [0, 1]));
      const meanDb = stats.mean.dataSync();
      const varDb = stats.variance.dataSync();
      tf.dispose([stats.mean, stats.variance]);
      const bn0 = { ...dict, 'bn0.running_mean': tf.tensor1d(meanDb), 'bn0.running_var': tf.tensor1d(varDb) };
      enc.loadStateDict(bn0, { strict: false });
      tf.dispose([bn0['bn0.running_mean'], bn0['bn0.running_var']]);
      ref['bn0.running_mean'] = nd([32], meanDb);
      ref['bn0.running_var'] = nd([32], varDb);
      const { features: embedding, logits } = enc.apply(x);
      const expected = cnn14Ref(ref, waves, 64, 16);
      expect(maxAbsDiff(embedding.dataSync(), expected.embedding)).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits!.dataSync(), expected.logits!)).toBeLessThan(1e-4);
      expect(Math.max(...expected.embedding.data)).toBeGreaterThan(1e-2);
      tf.dispose([embedding, logits!]);
      disposeDict(full);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) tf.dispose(enc.apply(x));
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      x.dispose();
      disposeDict(dict);
      enc.dispose();
    }
  });

  it('rejects a non-waveform input', () => {
    const enc = createEncoder('cnn14', tiny);
    const img = tf.zeros([1, 8, 8, 3]);
    const short = tf.zeros([1, 10]);
    try {
      expect(() => enc.apply(img)).toThrow(/mono waveforms \[B, L\]/);
      expect(() => enc.apply(short)).toThrow(/too short for reflect padding of 32/);
    } finally {
      tf.dispose([img, short]);
      enc.dispose();
    }
  });
});
