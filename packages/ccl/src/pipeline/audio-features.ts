import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { clipPath, featureFilePath, openClipFile, readClipAudio, writeNpy, type Manifest } from '@ccl/data';
import type { Encoder } from '@ccl/encoders';
import { fitLength } from './teachers';

/**
 * Runs the audio teacher over every video's cached soundtrack and writes one `(D,)` float32 `.npy` per
 * video in the reference's layout (`<dir>/<class>/<id>.npy`, names through @ccl/data's safe-name mapping). Videos without audio get no file: the loader
 * then flags them `hasTeacher = 0` (never a silent zero vector). Existing files are kept (resumable).
 */
export function extractAudioFeatures(manifest: Manifest, cacheDir: string, encoder: Encoder, outDir: string, length: number): { written: number; reused: number; noAudio: string[] } {
  let written = 0;
  let reused = 0;
  const noAudio: string[] = [];
  encoder.eval();
  for (const s of manifest.samples) {
    const file = featureFilePath(outDir, s.label, s.id);
    if (fs.existsSync(file)) {
      reused++;
      continue;
    }
    const audio = readClipAudio(openClipFile(clipPath(cacheDir, s.id)));
    if (!audio) {
      noAudio.push(s.id);
      continue;
    }
    // read after the tidy: a tidy that returns a typed array walks all of its elements looking for tensors
    const embedding = tf.tidy(() => encoder.features(tf.tensor2d(fitLength(audio, length), [1, length]), { training: false })); // [1, D]
    const features = embedding.dataSync() as Float32Array;
    embedding.dispose();
    writeNpy(file, { dtype: 'float32', shape: [features.length], data: features });
    written++;
  }
  return { written, reused, noAudio };
}
