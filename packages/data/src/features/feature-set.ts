import type { Rng } from '@ccl/base';
import type { TeacherFeature } from './teacher';
import { selectTeacherRow } from './teacher';

/**
 * Teacher features of a dataset, stored folder-per-class (`<Class>/v_<Class>_gGG_cCC.npy`); folder and
 * file names are decoded to class names and video ids by the safe-name mapping (see layout.ts). Read
 * from disk by feature-set-files.ts.
 */
export interface TeacherFeatureSet {
  /** Class names (decoded folder names), sorted. */
  classes: string[];
  /** Video id (decoded file stem) -> feature. */
  features: Map<string, TeacherFeature>;
  /** Video id -> class name. */
  classOf: Map<string, string>;
  dim: number;
  source: string;
}

/** Teacher vectors for a batch: missing videos get a zero row and `hasTeacher = 0` (never silent). */
export interface TeacherBatch {
  features: Float32Array; // [B, D]
  hasTeacher: Uint8Array; // [B]
  dim: number;
}

/**
 * Gathers one teacher vector per id (random row for 2-D features, see {@link selectTeacherRow});
 * ids without a feature get zeros and `hasTeacher[b] = 0`.
 */
export function gatherTeacherBatch(set: TeacherFeatureSet, ids: readonly string[], rng?: Rng): TeacherBatch {
  const dim = set.dim;
  const features = new Float32Array(ids.length * dim);
  const hasTeacher = new Uint8Array(ids.length);
  ids.forEach((id, b) => {
    const f = set.features.get(id);
    if (!f) return;
    features.set(selectTeacherRow(f, rng), b * dim);
    hasTeacher[b] = 1;
  });
  return { features, hasTeacher, dim };
}
