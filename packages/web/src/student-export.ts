import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, parseSafetensors, type Encoder } from '@ccl/encoders';
import type { StudentExport } from '@ccl/experiments';

export type { StudentClipSpec, StudentExport } from '@ccl/experiments';

function fail(source: string, what: string): never {
  throw new Error(`${source}: ${what}`);
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNumbers = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks a student.json written by `ccl export` (format ccl-student/1); a bad one names `source` and the field. */
export function parseStudentExport(value: unknown, source: string): StudentExport {
  const o = value as Partial<StudentExport> | null;
  if (typeof o !== 'object' || o === null) fail(source, 'not a JSON object');
  if (o.format !== 'ccl-student/1') fail(source, `format '${String(o.format)}' is not 'ccl-student/1' (write it with ccl export)`);
  if (typeof o.encoder !== 'string') fail(source, 'no "encoder" name');
  if (typeof o.options !== 'object' || o.options === null) fail(source, 'no "options" object');
  if (typeof o.weights !== 'string' || !/^[\w.-]+$/.test(o.weights)) fail(source, `"weights" must name a file beside it, got ${JSON.stringify(o.weights)}`);
  if (!Array.isArray(o.classes) || o.classes.length === 0 || !o.classes.every((c) => typeof c === 'string')) fail(source, '"classes" must be a list of names');
  const clip = o.clip;
  if (!clip || !isPositiveInt(clip.frames) || !isPositiveInt(clip.size) || !isPositiveInt(clip.stride))
    fail(source, '"clip" needs positive integer frames, size and stride');
  if (!isNumbers(clip.mean, 3) || !isNumbers(clip.std, 3) || !clip.std.every((s) => s > 0) || typeof clip.valueScale !== 'number')
    fail(source, '"clip" needs 3 means, 3 positive stds and a valueScale');
  return o as StudentExport;
}

/** The exported student, built from its spec and its safetensors bytes (strict: a missing or extra tensor names `source`), in eval mode. */
export function loadStudent(spec: StudentExport, weights: Uint8Array, source: string): Encoder {
  const student = createEncoder(spec.encoder, spec.options);
  const dict = parseSafetensors(weights, source);
  try {
    student.loadStateDict(dict, { strict: true, source });
  } catch (e) {
    student.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(dict));
  }
  return student.eval();
}
