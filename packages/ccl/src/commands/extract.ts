import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Command } from 'commander';
import { parsePositiveInt, parsePositiveNumber, parseShard, parseShardSpec } from '../cli-options';
import { centerCropBox, clipPath, cropClip, featureFilePath, gatherFrames, openClipFile, readClipAudio, readClipFrames, readManifest, resizeClip, resizeShortSideShape, temporalEvenCrop, writeNpy, type ManifestSample } from '@ccl/data';
import { createEncoder, type Encoder, type InputConvention } from '@ccl/encoders';
import { readSafetensors } from '@ccl/encoders/node';

interface ExtractOpts {
  teacher: string;
  weights?: string;
  options: string;
  data: string;
  out: string;
  shard: string;
  frames: number;
  size: number;
  segmentSeconds?: number;
}

type ImageConvention = Extract<InputConvention, { kind: 'images' }>;
type WaveformConvention = Extract<InputConvention, { kind: 'waveform' }>;

/** An encoder that declares no convention gets RGB in [0, 1] (images) or the cached track as it is (audio). */
const RAW_IMAGES: ImageConvention = { kind: 'images', mean: [0, 0, 0], std: [1, 1, 1], description: 'RGB in [0, 1]' };

/** Audio teachers: the cached soundtrack, whole or in segments of `seconds` -> [S, L] waveforms; refused when cached at another rate than the teacher's. */
function audioInput(file: string, seconds: number | null, teacher: string, convention: WaveformConvention | undefined): tf.Tensor2D | null {
  const info = openClipFile(file);
  const cachedRate = info.header.audio?.sampleRate;
  if (convention && cachedRate !== undefined && cachedRate !== convention.sampleRate) {
    throw new Error(`${file}: cached audio is at ${cachedRate} Hz, ${teacher} expects ${convention.sampleRate} Hz; re-run ccl data prepare with --audio-rate ${convention.sampleRate} (or give the teacher {"sampleRate":${cachedRate}} if its weights are for that rate)`);
  }
  const audio = readClipAudio(info);
  if (!audio || !info.header.audio) return null;
  const seg = seconds ? Math.round(seconds * info.header.audio.sampleRate) : audio.length;
  const count = Math.max(1, Math.floor(audio.length / seg));
  return tf.tensor2d(audio.subarray(0, count * seg), [count, seg]);
}

/**
 * Image teachers: `frames` evenly spaced frames, short side resized to `size` and centre-cropped, scaled to
 * [0, 1] and normalised as the teacher expects ((x - mean) / std) -> [F, size, size, 3].
 */
function imageInput(file: string, frames: number, size: number, convention: ImageConvention): tf.Tensor4D {
  const info = openClipFile(file);
  const { t, h, w, c } = info.header;
  const idx = temporalEvenCrop(t, 1, frames).map((win) => win[0]);
  const clip = gatherFrames({ data: readClipFrames(info, Array.from({ length: t }, (_, k) => k)), t, h, w, c }, idx);
  const shape = resizeShortSideShape(clip.h, clip.w, size);
  const resized = resizeClip(clip, shape.height, shape.width);
  const cropped = cropClip(resized, centerCropBox(resized.h, resized.w, size));
  return tf.tidy(() => {
    const unit = tf.div(tf.tensor4d(cropped.data, [cropped.t, size, size, 3], 'int32'), 255); // [F, size, size, 3] in [0, 1]
    return tf.div(tf.sub(unit, tf.tensor1d([...convention.mean])), tf.tensor1d([...convention.std])) as tf.Tensor4D;
  });
}

export function registerExtractCommand(features: Command, useBackend: (force?: string) => Promise<unknown>): void {
  features
    .command('extract')
    .description(
      "run a frozen teacher over a prepared dataset and write one .npy per video (the reference's layout: <out>/<class>/<id>.npy; (S, D) for segments or frames); resumable, shardable.\n" +
        "Inputs follow the teacher's own convention: image teachers get RGB in [0, 1] normalised as their weights expect (resnet18/34: ImageNet mean/std, as torchvision's; with {\"normalize\":\"imagenet\"} the encoder does it, never both); " +
        'audio teachers get the cached mono track, which must be at their sample rate (cnn14: 32 kHz unless {"sampleRate":...}; prepare with --audio-rate 32000), else the file is refused.',
    )
    .requiredOption('--teacher <name>', 'encoder: cnn14 (audio), resnet18 / resnet34 (images), or any registered encoder')
    .option('--weights <file>', 'teacher weights (.safetensors with the PyTorch names)')
    .option('--options <json>', 'encoder options as JSON, e.g. {"numClasses":527}', '{}')
    .requiredOption('--data <dir>', 'output folder of `ccl data prepare` (manifest.json + cache/)')
    .requiredOption('--out <dir>', 'features folder')
    .option('--shard <i/N>', 'process samples i, i+N, i+2N, ...', parseShardSpec, '0/1')
    .option('--frames <n>', 'image teachers: evenly spaced frames per video', parsePositiveInt, 8)
    .option('--size <px>', 'image teachers: input size', parsePositiveInt, 224)
    .option('--segment-seconds <s>', 'audio teachers: one row per segment of this length (default: the whole track)', parsePositiveNumber)
    .option('--backend <name>', 'tensor backend')
    .action(async (opts: ExtractOpts & { backend?: string }) => {
      await useBackend(opts.backend);
      const [shard, shards] = parseShard(opts.shard);
      const manifestFile = path.join(opts.data, 'manifest.json');
      if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile}: not found (run ccl data prepare first)`);
      const manifest = readManifest(manifestFile);
      let encoder: Encoder;
      try {
        encoder = createEncoder(opts.teacher, JSON.parse(opts.options) as Record<string, unknown>);
      } catch (err) {
        throw new Error(`--teacher ${opts.teacher} --options ${opts.options}: ${(err as Error).message}`);
      }
      if (opts.weights) {
        const dict = readSafetensors(opts.weights);
        encoder.loadStateDict(dict, { strict: true, source: opts.weights });
        tf.dispose(Object.values(dict));
      }
      encoder.eval();
      const convention = encoder.inputConvention;
      if (convention) process.stderr.write(`${opts.teacher} input: ${convention.description}\n`);
      const audio = convention ? convention.kind === 'waveform' : encoder.inputLayout.startsWith('[B, L]'); // waveform in (Cnn14), else images
      const mine = manifest.samples.filter((_, i) => i % shards === shard);
      let written = 0;
      let reused = 0;
      const missing: ManifestSample[] = [];
      const notCached: ManifestSample[] = [];
      for (const [k, s] of mine.entries()) {
        const file = featureFilePath(opts.out, s.label, s.id); // ids and class names through the safe-name mapping, kept inside --out
        if (fs.existsSync(file)) {
          reused++;
          continue;
        }
        const clip = clipPath(path.join(opts.data, 'cache'), s.id);
        if (!fs.existsSync(clip)) {
          notCached.push(s); // skipped by prepare (bad file): listed in cache/prepare-report.json
          continue;
        }
        const input = audio
          ? audioInput(clip, opts.segmentSeconds ?? null, opts.teacher, convention?.kind === 'waveform' ? convention : undefined)
          : imageInput(clip, opts.frames, opts.size, convention?.kind === 'images' ? convention : RAW_IMAGES);
        if (!input) {
          missing.push(s); // no audio: no file, so the loader marks it hasTeacher = 0
          continue;
        }
        const rows = tf.tidy(() => encoder.features(input, { training: false }));
        input.dispose();
        const [n, d] = rows.shape;
        const data = rows.dataSync() as Float32Array;
        rows.dispose();
        writeNpy(file, { dtype: 'float32', shape: n === 1 ? [d] : [n, d], data });
        written++;
        process.stderr.write(`\r${k + 1}/${mine.length} ${s.id}\u001b[K`);
      }
      process.stderr.write('\n');
      process.stdout.write(`${written} written, ${reused} already there, ${missing.length} without input (no audio), ${notCached.length} not in the cache (see prepare-report.json) in ${opts.out} (shard ${opts.shard})\n`);
    });
}
