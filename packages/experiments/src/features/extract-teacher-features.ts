import * as fs from 'node:fs';
import type { ManifestSample } from '@ccl/data';
import { clipPath, featureFilePath, writeNpy } from '@ccl/data/node';
import { extractFeatures, type Encoder, type FeatureBatch } from '@ccl/encoders';
import type { ClipInput } from './teacher-inputs';

export interface TeacherFeatureExtraction {
  /** The videos (a manifest's samples, or a shard of them). */
  samples: readonly ManifestSample[];
  /** The clip cache of `ccl data prepare`. */
  cacheDir: string;
  /** The frozen teacher (put in eval mode). */
  encoder: Encoder;
  /** The teacher's input from a cached clip (see teacher-inputs.ts). */
  input: ClipInput;
  /** Features folder: `<outDir>/<class>/<id>.npy`. */
  outDir: string;
  /** After each file written: the sample's position in `samples`. */
  onWritten?: (index: number, sample: ManifestSample) => void;
}

export interface TeacherFeatureReport {
  written: number;
  /** Files already there (kept: extraction is resumable). */
  reused: number;
  /** Videos whose clip has no input for this teacher (no audio track): no file, so the loader marks them hasTeacher = 0. */
  noInput: ManifestSample[];
  /** Videos not in the clip cache (skipped by prepare: listed in cache/prepare-report.json). */
  notCached: ManifestSample[];
}

/**
 * Runs a frozen teacher over every video's cached clip and writes one float32 `.npy` per video in the
 * reference's layout (`<outDir>/<class>/<id>.npy`, names through @ccl/data's safe-name mapping, kept inside
 * `outDir`): `(D,)`, or `(S, D)` for S segments or frames. Existing files are kept; videos without input get
 * no file (never a silent zero vector).
 */
export async function extractTeacherFeatures(o: TeacherFeatureExtraction): Promise<TeacherFeatureReport> {
  const report: TeacherFeatureReport = { written: 0, reused: 0, noInput: [], notCached: [] };
  const pending = new Map<string, { index: number; sample: ManifestSample; file: string }>();
  o.encoder.eval();
  function* batches(): Generator<FeatureBatch> {
    for (const [index, sample] of o.samples.entries()) {
      const file = featureFilePath(o.outDir, sample.label, sample.id);
      if (fs.existsSync(file)) {
        report.reused++;
        continue;
      }
      const clip = clipPath(o.cacheDir, sample.id);
      if (!fs.existsSync(clip)) {
        report.notCached.push(sample);
        continue;
      }
      const input = o.input(clip); // [S, ...] rows of one video
      if (!input) {
        report.noInput.push(sample);
        continue;
      }
      pending.set(sample.id, { index, sample, file });
      yield { ids: [sample.id], input, segmentsPerItem: input.shape[0] };
    }
  }
  await extractFeatures(o.encoder, batches(), {
    sink: (id, data, shape) => {
      const { index, sample, file } = pending.get(id)!;
      pending.delete(id);
      writeNpy(file, { dtype: 'float32', shape, data });
      report.written++;
      o.onWritten?.(index, sample);
    },
  });
  return report;
}
