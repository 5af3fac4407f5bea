/**
 * Fixed front-end matrices of PANNs (Kong et al., "PANNs: Large-Scale Pretrained Audio Neural Networks for
 * Audio Pattern Recognition", 2020), as torchlibrosa builds them from librosa:
 *  - a periodic Hann window,
 *  - the windowed DFT kernels of torchlibrosa's STFT (`conv_real`, `conv_imag`),
 *  - librosa's mel filterbank (`librosa.filters.mel`, Slaney mel scale, Slaney area normalisation).
 * Computed in float64 and returned as float32 in torch layouts.
 */

/** scipy/librosa `get_window('hann', n, fftbins=True)`: w[i] = 0.5 - 0.5 cos(2 pi i / n). */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * torchlibrosa STFT kernels, torch layout [nFft/2 + 1, 1, nFft]:
 *     real[k, 0, n] = cos(2 pi n k / N) w[n],  imag[k, 0, n] = -sin(2 pi n k / N) w[n]
 */
export function stftKernels(nFft: number): { real: Float32Array; imag: Float32Array; bins: number } {
  const bins = Math.floor(nFft / 2) + 1;
  const w = hannWindow(nFft);
  const real = new Float32Array(bins * nFft);
  const imag = new Float32Array(bins * nFft);
  for (let k = 0; k < bins; k++)
    for (let n = 0; n < nFft; n++) {
      const angle = (2 * Math.PI * ((n * k) % nFft)) / nFft;
      real[k * nFft + n] = Math.cos(angle) * w[n]!;
      imag[k * nFft + n] = -Math.sin(angle) * w[n]!;
    }
  return { real, imag, bins };
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOG_STEP = Math.log(6.4) / 27;

/** librosa `hz_to_mel(htk=False)` (Slaney): linear below 1 kHz, logarithmic above. */
export function hzToMel(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

/** librosa `mel_to_hz(htk=False)`. */
export function melToHz(mel: number): number {
  return mel < MIN_LOG_MEL ? F_SP * mel : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

/**
 * librosa `filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney')`, transposed as PANNs'
 * `logmel_extractor.melW`: [nFft/2 + 1, nMels]. Filter m is a triangle over the FFT bin frequencies
 * between mel points m and m+2, scaled by 2 / (f_{m+2} - f_m).
 */
export function melFilterbank(sampleRate: number, nFft: number, nMels: number, fMin: number, fMax: number): Float32Array {
  const bins = Math.floor(nFft / 2) + 1;
  const fftFreqs = Array.from({ length: bins }, (_, i) => (i * sampleRate) / 2 / (bins - 1));
  const melMin = hzToMel(fMin);
  const melMax = hzToMel(fMax);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1)));
  const out = new Float32Array(bins * nMels);
  for (let m = 0; m < nMels; m++) {
    const lowDiff = melF[m + 1]! - melF[m]!;
    const highDiff = melF[m + 2]! - melF[m + 1]!;
    const enorm = 2 / (melF[m + 2]! - melF[m]!);
    for (let b = 0; b < bins; b++) {
      const lower = (fftFreqs[b]! - melF[m]!) / lowDiff;
      const upper = (melF[m + 2]! - fftFreqs[b]!) / highDiff;
      out[b * nMels + m] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}
