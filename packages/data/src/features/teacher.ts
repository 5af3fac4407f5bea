import type { NpyArray } from '../io/npy';
import { parseNpy } from '../io/npy';
import type { Rng } from '@ccl/base';

/**
 * One video's teacher output: `rows` vectors of size `dim` (row-major `[rows, dim]`, float32).
 * A 1-D `.npy` of shape (D,) is one row; a 2-D `(T, D)` file is one vector per audio segment
 * (METHOD §1: training picks one random row per sample).
 */
export interface TeacherFeature {
  id: string;
  rows: number;
  dim: number;
  data: Float32Array; // [rows, dim]
  /** Where it was read from (file path, or `archive!entry`). */
  source: string;
}

export interface TeacherFeatureOptions {
  /** Expected vector size; a file with another size is an error. */
  dim?: number;
  /** Accept NaN / Infinity values (default false: they are an error naming the file). */
  allowNonFinite?: boolean;
}

/** Validates a parsed `.npy` as a teacher feature (1-D `(D,)` or 2-D `(T, D)`, finite values). */
export function teacherFeatureFromNpy(id: string, array: NpyArray, source: string, options: TeacherFeatureOptions = {}): TeacherFeature {
  const { shape } = array;
  if (shape.length !== 1 && shape.length !== 2) {
    throw new Error(`${source}: teacher feature must be 1-D (D,) or 2-D (T, D), got shape (${shape.join(', ')})`);
  }
  const rows = shape.length === 1 ? 1 : (shape[0] as number);
  const dim = shape[shape.length - 1] as number;
  if (rows === 0 || dim === 0) throw new Error(`${source}: teacher feature is empty, shape (${shape.join(', ')})`);
  if (options.dim !== undefined && dim !== options.dim) {
    throw new Error(`${source}: teacher feature has size ${dim}, expected ${options.dim} (shape (${shape.join(', ')}))`);
  }
  if (!options.allowNonFinite) {
    for (let i = 0; i < array.data.length; i++) {
      const v = array.data[i] as number;
      if (!Number.isFinite(v)) {
        throw new Error(`${source}: teacher feature has a non-finite value (${v}) at row ${Math.floor(i / dim)}, column ${i % dim}`);
      }
    }
  }
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
  return { id, rows, dim, data, source };
}

/** Parses and validates teacher-feature `.npy` bytes (e.g. an archive entry). */
export function parseTeacherFeature(id: string, bytes: Uint8Array, source: string, options: TeacherFeatureOptions = {}): TeacherFeature {
  return teacherFeatureFromNpy(id, parseNpy(bytes, source), source, options);
}

/**
 * The row used for one training sample: the only row of a 1-D feature, or a uniformly random row of a
 * 2-D `(T, D)` feature, as the reference loader does (`np.random.randint(T)`). The rng is consumed only
 * when there is a choice. Returns a view `[dim]`.
 */
export function selectTeacherRow(feature: TeacherFeature, rng?: Rng): Float32Array {
  let row = 0;
  if (feature.rows > 1) {
    if (!rng) throw new Error(`${feature.source}: a (${feature.rows}, ${feature.dim}) teacher feature needs an rng to pick a row`);
    row = rng.int(0, feature.rows - 1);
  }
  return feature.data.subarray(row * feature.dim, (row + 1) * feature.dim);
}

/**
 * The row of a 2-D `(T, D)` feature aligned to a time in the video, for files with one row per
 * `hopSeconds` segment starting at 0 (row r covers [r * hop, (r + 1) * hop)): r = floor(timeS / hop),
 * clamped to [0, T - 1]. A 1-D feature returns its only row.
 */
export function teacherRowAtTime(feature: TeacherFeature, timeS: number, hopSeconds: number): Float32Array {
  if (!(hopSeconds > 0)) throw new Error(`${feature.source}: hopSeconds must be > 0, got ${hopSeconds}`);
  const row = Math.min(feature.rows - 1, Math.max(0, Math.floor(timeS / hopSeconds)));
  return feature.data.subarray(row * feature.dim, (row + 1) * feature.dim);
}
