import * as tf from '@tensorflow/tfjs-core';
import { centerCropBox, cropClip, gatherFrames, resizeClip, resizeShortSideShape, temporalEvenCrop } from '@ccl/data';
import { openClipFile, readClipAudio, readClipFrames } from '@ccl/data/node';
import type { Encoder, InputConvention } from '@ccl/encoders';

/** A teacher's input from one cached clip file; null when the clip has none (no audio track). */
export type ClipInput = (clipFile: string) => tf.Tensor | null;

type ImageConvention = Extract<InputConvention, { kind: 'images' }>;
type WaveformConvention = Extract<InputConvention, { kind: 'waveform' }>;

/** An encoder that declares no convention gets RGB in [0, 1] (images) or the cached track as it is (audio). */
const RAW_IMAGES: ImageConvention = { kind: 'images', mean: [0, 0, 0], std: [1, 1, 1], description: 'RGB in [0, 1]' };

/** Crops or zero-pads a waveform to `length` samples. */
export function fitLength(x: Float32Array, length: number): Float32Array {
  if (x.length === length) return x;
  const out = new Float32Array(length);
  out.set(x.subarray(0, Math.min(length, x.length)));
  return out;
}

/** The cached soundtrack cropped or zero-padded to `length` samples -> [1, length]. */
export function fixedLengthAudio(length: number): ClipInput {
  return (file) => {
    const audio = readClipAudio(openClipFile(file));
    return audio ? tf.tensor2d(fitLength(audio, length), [1, length]) : null;
  };
}

/**
 * Audio teachers: the cached soundtrack, whole or in segments of `seconds` -> [S, L] waveforms; refused when
 * cached at another rate than the teacher's.
 */
export function segmentedAudio(seconds: number | null, teacher: string, convention: WaveformConvention | undefined): ClipInput {
  return (file) => {
    const info = openClipFile(file);
    const cachedRate = info.header.audio?.sampleRate;
    if (convention && cachedRate !== undefined && cachedRate !== convention.sampleRate) {
      throw new Error(
        `${file}: cached audio is at ${cachedRate} Hz, ${teacher} expects ${convention.sampleRate} Hz; re-run ccl data prepare with --audio-rate ${convention.sampleRate} (or give the teacher {"sampleRate":${cachedRate}} if its weights are for that rate)`,
      );
    }
    const audio = readClipAudio(info);
    if (!audio || !info.header.audio) return null;
    const seg = seconds ? Math.round(seconds * info.header.audio.sampleRate) : audio.length;
    const count = Math.max(1, Math.floor(audio.length / seg));
    return tf.tensor2d(audio.subarray(0, count * seg), [count, seg]);
  };
}

/**
 * Image teachers: `frames` evenly spaced frames, short side resized to `size` and centre-cropped, scaled to
 * [0, 1] and normalised as the teacher expects ((x - mean) / std) -> [F, size, size, 3].
 */
export function evenFrames(frames: number, size: number, convention: ImageConvention): ClipInput {
  return (file) => {
    const info = openClipFile(file);
    const { t, h, w, c } = info.header;
    const idx = temporalEvenCrop(t, 1, frames).map((win) => win[0]);
    const clip = gatherFrames(
      {
        data: readClipFrames(
          info,
          Array.from({ length: t }, (_, k) => k),
        ),
        t,
        h,
        w,
        c,
      },
      idx,
    );
    const shape = resizeShortSideShape(clip.h, clip.w, size);
    const resized = resizeClip(clip, shape.height, shape.width);
    const cropped = cropClip(resized, centerCropBox(resized.h, resized.w, size));
    return tf.tidy(() => {
      const unit = tf.div(tf.tensor4d(cropped.data, [cropped.t, size, size, 3], 'int32'), 255); // [F, size, size, 3] in [0, 1]
      return tf.div(tf.sub(unit, tf.tensor1d([...convention.mean])), tf.tensor1d([...convention.std])) as tf.Tensor4D;
    });
  };
}

/**
 * The input a frozen teacher gets, following its own convention: waveform teachers (Cnn14) the cached track
 * (whole or in `segmentSeconds` segments), image teachers `frames` evenly spaced `size`px frames normalised
 * as their weights expect. An encoder without a convention is told apart by its input layout.
 */
export function teacherInput(encoder: Encoder, teacher: string, o: { frames: number; size: number; segmentSeconds?: number }): ClipInput {
  const convention = encoder.inputConvention;
  const audio = convention ? convention.kind === 'waveform' : encoder.inputLayout.startsWith('[B, L]'); // waveform in (Cnn14), else images
  return audio
    ? segmentedAudio(o.segmentSeconds ?? null, teacher, convention?.kind === 'waveform' ? convention : undefined)
    : evenFrames(o.frames, o.size, convention?.kind === 'images' ? convention : RAW_IMAGES);
}
