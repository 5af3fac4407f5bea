/**
 * Semantic-gap analysis (METHOD §7, supplement of the CCL paper): how well a teacher modality agrees with
 * the video labels, per class, and accuracy tables over class subsets.
 *
 * Agreement score of class k: any per-class number in [0, 1], by default the per-class test accuracy of a
 * linear probe on the teacher's features ({@link linearProbe}): if a linear classifier on the audio
 * embedding recognises class k, the audio carries the class. The paper's split (15 highly / 15 weakly /
 * 21 not correlated on UCF51) was hand-labelled; ours is computed, with the thresholds stated in the result.
 */
import { meanOfDefined } from './recognition';

/** Correlation bucket of a class. `unknown`: no score (no test items). */
export type CorrelationLevel = 'correlated' | 'weak' | 'not' | 'unknown';

/** Thresholds of {@link splitClassesByAgreement}: score >= correlated → correlated; >= weak → weak; else not. */
export interface CorrelationThresholds {
  correlated: number;
  weak: number;
}

/**
 * Default thresholds for teacher-probe accuracy: >= 0.6 correlated, >= 0.3 weakly, below not correlated
 * (chance on UCF51 is 1/51 ≈ 0.02; the cut-offs are a stated convention, not taken from the paper).
 */
export const DEFAULT_CORRELATION_THRESHOLDS: CorrelationThresholds = { correlated: 0.6, weak: 0.3 };

/** Result of {@link splitClassesByAgreement}. */
export interface ClassSplit {
  schema: 'ccl.class-split/1';
  thresholds: CorrelationThresholds;
  /** Level of every class (index = class). */
  levels: CorrelationLevel[];
  /** Class indices per level, ascending. */
  correlated: number[];
  weak: number[];
  not: number[];
  unknown: number[];
  scores: (number | null)[];
}

/** Buckets classes by their agreement score (see {@link CorrelationThresholds}); null scores → unknown. */
export function splitClassesByAgreement(scores: readonly (number | null)[], thresholds: CorrelationThresholds = DEFAULT_CORRELATION_THRESHOLDS): ClassSplit {
  if (!(thresholds.correlated >= thresholds.weak))
    throw new Error(`@ccl/eval: correlation thresholds must satisfy correlated (${thresholds.correlated}) >= weak (${thresholds.weak})`);
  const levels = scores.map((s, k): CorrelationLevel => {
    if (s === null) return 'unknown';
    if (!Number.isFinite(s)) throw new Error(`@ccl/eval: agreement score of class ${k} is not finite (${s})`);
    return s >= thresholds.correlated ? 'correlated' : s >= thresholds.weak ? 'weak' : 'not';
  });
  const pick = (l: CorrelationLevel) => levels.flatMap((v, k) => (v === l ? [k] : []));
  return {
    schema: 'ccl.class-split/1',
    thresholds: { ...thresholds },
    levels,
    correlated: pick('correlated'),
    weak: pick('weak'),
    not: pick('not'),
    unknown: pick('unknown'),
    scores: [...scores],
  };
}

/**
 * Buckets by rank instead of thresholds: the `counts.correlated` best-scoring classes are correlated, the
 * next `counts.weak` weakly, the rest not (e.g. {15, 15} to mirror the paper's hand-labelled sizes).
 * Ties by lower class index. The thresholds reported are the lowest score admitted to each bucket.
 */
export function splitClassesByRank(scores: readonly (number | null)[], counts: { correlated: number; weak: number }): ClassSplit {
  const known = scores.flatMap((s, k) => (s === null ? [] : [k])).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const levels: CorrelationLevel[] = scores.map((s) => (s === null ? 'unknown' : 'not'));
  known.forEach((k, r) => {
    levels[k] = r < counts.correlated ? 'correlated' : r < counts.correlated + counts.weak ? 'weak' : 'not';
  });
  const pick = (l: CorrelationLevel) => levels.flatMap((v, k) => (v === l ? [k] : []));
  const lowest = (ks: number[]) => (ks.length ? Math.min(...ks.map((k) => scores[k] as number)) : Infinity);
  const correlated = pick('correlated');
  const weak = pick('weak');
  return {
    schema: 'ccl.class-split/1',
    thresholds: { correlated: lowest(correlated), weak: Math.min(lowest(weak), lowest(correlated)) },
    levels,
    correlated,
    weak,
    not: pick('not'),
    unknown: pick('unknown'),
    scores: [...scores],
  };
}

/** A named set of classes. */
export interface ClassSubset {
  name: string;
  classes: readonly number[];
}

/** The standard subsets of a split: correlated, weak, not, correlated+weak ("correlated (all)") and all classes. */
export function subsetsOfSplit(split: ClassSplit): ClassSubset[] {
  const all = split.levels.map((_, k) => k);
  return [
    { name: 'correlated', classes: split.correlated },
    { name: 'weakly correlated', classes: split.weak },
    { name: 'correlated + weakly', classes: [...split.correlated, ...split.weak].sort((a, b) => a - b) },
    { name: 'not correlated', classes: split.not },
    { name: 'all', classes: all },
  ];
}

/** Per-class accuracies of one method (optionally with per-class item counts for video-weighted subsets). */
export interface MethodPerClass {
  method: string;
  perClassAccuracy: readonly (number | null)[];
  /** When given, a subset's accuracy is Σ_k acc_k n_k / Σ_k n_k (video-level on the subset). */
  perClassCount?: readonly number[];
}

/** The per-subset accuracy table (accuracy of each method on each subset, and gain over a baseline). */
export interface SubsetAccuracyTable {
  schema: 'ccl.subset-table/1';
  subsets: { name: string; numClasses: number }[];
  baseline: string | null;
  rows: { method: string; accuracy: (number | null)[]; gain: (number | null)[] }[];
  /** "mean-class" (unweighted mean over the subset's classes) or "video-weighted". */
  weighting: ('mean-class' | 'video-weighted')[];
}

/**
 * Subset accuracy of one method: mean over the subset's classes with a defined accuracy (or the
 * count-weighted mean when counts are given); null when no class of the subset has a value.
 */
export function subsetAccuracy(m: MethodPerClass, classes: readonly number[]): number | null {
  for (const k of classes)
    if (k < 0 || k >= m.perClassAccuracy.length)
      throw new Error(`@ccl/eval: subset class ${k} is out of range for method '${m.method}' (${m.perClassAccuracy.length} classes)`);
  if (m.perClassCount) {
    let num = 0;
    let den = 0;
    for (const k of classes) {
      const a = m.perClassAccuracy[k];
      const n = m.perClassCount[k] ?? 0;
      if (a !== null && a !== undefined && n > 0) {
        num += a * n;
        den += n;
      }
    }
    return den === 0 ? null : num / den;
  }
  return meanOfDefined(classes.map((k) => m.perClassAccuracy[k] ?? null));
}

/** Builds the per-subset table for any methods; `baseline` (a method name) adds gain = acc - acc_baseline. */
export function subsetAccuracyTable(methods: readonly MethodPerClass[], subsets: readonly ClassSubset[], baseline?: string): SubsetAccuracyTable {
  const K = methods[0]?.perClassAccuracy.length;
  for (const m of methods)
    if (m.perClassAccuracy.length !== K)
      throw new Error(`@ccl/eval: method '${m.method}' has ${m.perClassAccuracy.length} classes, '${methods[0]!.method}' has ${K}`);
  const base = baseline === undefined ? undefined : methods.find((m) => m.method === baseline);
  if (baseline !== undefined && !base)
    throw new Error(`@ccl/eval: baseline '${baseline}' is not among the methods (${methods.map((m) => m.method).join(', ')})`);
  const baseAcc = base ? subsets.map((s) => subsetAccuracy(base, s.classes)) : null;
  return {
    schema: 'ccl.subset-table/1',
    subsets: subsets.map((s) => ({ name: s.name, numClasses: s.classes.length })),
    baseline: baseline ?? null,
    weighting: methods.map((m) => (m.perClassCount ? 'video-weighted' : 'mean-class')),
    rows: methods.map((m) => {
      const accuracy = subsets.map((s) => subsetAccuracy(m, s.classes));
      const gain = accuracy.map((a, j) => (a === null || !baseAcc || baseAcc[j] === null ? null : a - (baseAcc[j] as number)));
      return { method: m.method, accuracy, gain };
    }),
  };
}
