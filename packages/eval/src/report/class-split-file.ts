/**
 * Class splits and agreement scores from files, for `ccl report --class-split / --agreement`:
 *  - a class split: a `ccl.class-split/1` JSON object, or a report.json whose `classSplit` is set;
 *  - per-class agreement scores: a JSON array of numbers (null: no score) in class order, an array of
 *    `[className, score]` pairs (matched to the runs' class names), or an object with such a `scores` array.
 * Bad input throws one line naming the file and the problem.
 */
import type { ClassSplit } from '../semantic-gap';
import { readJsonFile } from './read-json-file';

const isScore = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** Reads a class split (see the module comment); `numClasses`, when given, must match its class count. */
export function readClassSplitFile(file: string, numClasses?: number): ClassSplit {
  const obj = readJsonFile(file) as Record<string, unknown> | null;
  const split = (obj && typeof obj === 'object' && 'classSplit' in obj ? obj['classSplit'] : obj) as Record<string, unknown> | null;
  if (!split || typeof split !== 'object' || split['schema'] !== 'ccl.class-split/1')
    throw new Error(`@ccl/eval: ${file} is neither a class split (schema "ccl.class-split/1") nor a report.json with a classSplit`);
  const levels = split['levels'];
  if (!Array.isArray(levels) || !levels.every((l) => ['correlated', 'weak', 'not', 'unknown'].includes(l as string)))
    throw new Error(`@ccl/eval: ${file}: "levels" must be an array of "correlated" | "weak" | "not" | "unknown"`);
  for (const key of ['correlated', 'weak', 'not', 'unknown'])
    if (!Array.isArray(split[key]) || !(split[key] as unknown[]).every((k) => Number.isInteger(k) && (k as number) >= 0 && (k as number) < levels.length))
      throw new Error(`@ccl/eval: ${file}: "${key}" must be an array of class indices below ${levels.length}`);
  if (numClasses !== undefined && levels.length !== numClasses)
    throw new Error(`@ccl/eval: ${file} splits ${levels.length} classes, the runs have ${numClasses}`);
  return split as unknown as ClassSplit;
}

/** Reads per-class agreement scores (see the module comment) in the order of `classNames`. */
export function readAgreementScoresFile(file: string, classNames: readonly string[]): (number | null)[] {
  const obj = readJsonFile(file);
  const list = Array.isArray(obj)
    ? obj
    : obj && typeof obj === 'object' && Array.isArray((obj as Record<string, unknown>)['scores'])
      ? ((obj as Record<string, unknown>)['scores'] as unknown[])
      : null;
  if (!list) throw new Error(`@ccl/eval: ${file} must hold an array of scores, of [className, score] pairs, or {"scores": [...]}`);
  if (list.every(isScore)) {
    if (list.length !== classNames.length) throw new Error(`@ccl/eval: ${file} has ${list.length} scores, the runs have ${classNames.length} classes`);
    return list;
  }
  const byName = new Map<string, number | null>();
  list.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || !isScore(p[1]))
      throw new Error(`@ccl/eval: ${file} entry ${i} is neither a score nor a [className, score] pair`);
    byName.set(p[0], p[1]);
  });
  const missing = classNames.filter((n) => !byName.has(n));
  if (missing.length)
    throw new Error(
      `@ccl/eval: ${file} has no score for class${missing.length > 1 ? 'es' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  return classNames.map((n) => byName.get(n)!);
}
