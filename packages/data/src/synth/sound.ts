import type { Rng } from '@ccl/base';

/** A synthetic sound class: a tone with harmonics, gated on and off at a beat rate. */
export interface SoundSpec {
  name: string;
  frequency: number;
  beatsPerSecond: number;
  harmonics: number;
}

/**
 * The s-th sound: f = 250 * 2^(s / stepsPerOctave) Hz, beats 2/3/4/6 per second, 1-3 harmonics. The
 * default, 3 steps per octave, is a major-third ladder; 12 (semitones) fits about three times as many
 * sounds below a given Nyquist frequency. Beats and harmonics repeat every 12 sounds, so any two sounds
 * differ in beat rate or timbre, or are at least one octave (12 / stepsPerOctave octaves) apart.
 */
export function soundAt(s: number, stepsPerOctave = 3): SoundSpec {
  const frequency = Math.round(250 * 2 ** (s / stepsPerOctave));
  const beatsPerSecond = [2, 3, 4, 6][s % 4] as number;
  const harmonics = (s % 3) + 1;
  return { name: `tone-${frequency}hz-${beatsPerSecond}bps`, frequency, beatsPerSecond, harmonics };
}

/** The highest frequency in a sound (its top harmonic), in Hz. */
export function highestHarmonicHz(spec: SoundSpec): number {
  return spec.frequency * spec.harmonics;
}

/** Throws unless every harmonic of `spec` is below the Nyquist frequency of `sampleRate` (no aliasing). */
export function assertBelowNyquist(spec: SoundSpec, sampleRate: number, what: string): void {
  const top = highestHarmonicHz(spec);
  if (top >= sampleRate / 2) {
    throw new Error(
      `${what} ${spec.name} has a harmonic at ${top} Hz, not below the Nyquist frequency ${sampleRate / 2} Hz of sampleRate ${sampleRate}: use fewer sounds, a higher sampleRate or more soundStepsPerOctave`,
    );
  }
}

/**
 * Renders `seconds` of a sound at `sampleRate`: sum_h sin(2 pi h f t + phase)/h over h = 1..harmonics,
 * gated by a raised-cosine on/off envelope at the beat rate, amplitude 0.5, plus Gaussian-ish noise of
 * standard deviation `noise`. The rng jitters the phase and the beat offset.
 */
export function renderSound(spec: SoundSpec, seconds: number, sampleRate: number, rng: Rng, noise = 0.02): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const phase = rng.uniform(0, 2 * Math.PI);
  const beatOffset = rng.uniform(0, 1);
  let norm = 0;
  for (let h = 1; h <= spec.harmonics; h++) norm += 1 / h;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (let h = 1; h <= spec.harmonics; h++) v += Math.sin(2 * Math.PI * h * spec.frequency * t + h * phase) / h;
    const beat = (spec.beatsPerSecond * t + beatOffset) % 1;
    const gate = beat < 0.5 ? Math.sin(Math.PI * (beat / 0.5)) : 0;
    // Sum of three uniforms ~ Gaussian with variance 3/12 -> scale to std `noise`.
    const g = (rng.next() + rng.next() + rng.next() - 1.5) * 2;
    out[i] = (0.5 * gate * v) / norm + noise * g;
  }
  return out;
}
