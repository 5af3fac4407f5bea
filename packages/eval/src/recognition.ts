/**
 * Recognition metrics (METHOD §6): clip accuracy, video-level top-k with softmax scores averaged over
 * all of a video's windows, per-class accuracy, confusion matrix, and results JSON in the reference's
 * `val.json` shape (see {@link toReferenceValJson}) and in our own shape ({@link RecognitionResult}).
 *
 * Ties: a score vector's classes are ranked by score, ties by the lower class index (see `topKIndices`).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { type Matrix, type MatrixLike, row, softmaxRows, toLabels, toMatrix, topKIndices } from './matrix';

/** Whether score rows are raw logits (softmax applied here) or already probabilities. */
export type ScoreKind = 'logits' | 'probabilities';

/** Top-k accuracy of `scores` `[N, K]` against `labels` `[N]`: fraction of rows whose label is among the k best. */
export function topKAccuracy(scores: MatrixLike, labels: ArrayLike<number> | Tensor, k = 1): number {
  const s = toMatrix(scores, 'scores');
  const y = toLabels(labels, s.cols, 'labels');
  if (y.length !== s.rows) throw new Error(`@ccl/eval: scores have ${s.rows} rows but labels have ${y.length} entries`);
  if (s.rows === 0) throw new Error('@ccl/eval: topKAccuracy needs at least one row');
  let hits = 0;
  for (let i = 0; i < s.rows; i++) if (topKIndices(row(s, i), k).includes(y[i] as number)) hits++;
  return hits / s.rows;
}

/**
 * Clip-level accuracy (validation during training: N evenly spaced clips per video, each clip scored on
 * its own): top-1 of each clip's scores against its video's label. Logits or probabilities give the
 * same argmax, so no softmax is needed.
 */
export function clipAccuracy(clipScores: MatrixLike, clipLabels: ArrayLike<number> | Tensor): number {
  return topKAccuracy(clipScores, clipLabels, 1);
}

/** Per-video scores: row v of `scores` `[V, K]` belongs to `videoIds[v]`. */
export interface VideoScores {
  readonly videoIds: string[];
  /** Softmax probabilities averaged over the video's windows, `[V, K]`. */
  readonly scores: Matrix;
  /** Number of windows averaged per video. */
  readonly windowCounts: number[];
}

/**
 * Video-level scores: p_v = (1/|W_v|) Σ_{w∈W_v} softmax(z_w), the mean over all windows of a video of the
 * softmax of each window's logits (reference `inference.py`: `torch.mean(softmax(outputs))`).
 * `windowScores` `[W, K]`, `videoIds` `[W]` (which video each window is from). Videos keep the order of
 * their first window.
 */
export function aggregateVideoScores(windowScores: MatrixLike, videoIds: readonly string[], kind: ScoreKind = 'logits'): VideoScores {
  const raw = toMatrix(windowScores, 'windowScores');
  if (videoIds.length !== raw.rows) throw new Error(`@ccl/eval: windowScores have ${raw.rows} rows but videoIds has ${videoIds.length} entries`);
  const probs = kind === 'logits' ? softmaxRows(raw) : raw;
  const order: string[] = [];
  const slot = new Map<string, number>();
  for (const id of videoIds) if (!slot.has(id)) slot.set(id, order.push(id) - 1);
  const K = raw.cols;
  const sums = new Float64Array(order.length * K);
  const counts = new Array<number>(order.length).fill(0);
  for (let w = 0; w < raw.rows; w++) {
    const v = slot.get(videoIds[w] as string) as number;
    counts[v] = (counts[v] as number) + 1;
    const p = row(probs, w);
    for (let c = 0; c < K; c++) sums[v * K + c] = (sums[v * K + c] as number) + (p[c] as number);
  }
  for (let v = 0; v < order.length; v++) for (let c = 0; c < K; c++) sums[v * K + c] = (sums[v * K + c] as number) / (counts[v] as number);
  return { videoIds: order, scores: { rows: order.length, cols: K, data: sums }, windowCounts: counts };
}

/**
 * Confusion matrix `C[t][p]` = number of items of true class t predicted as p, `[K, K]`.
 */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  const p = toLabels(predicted, numClasses, 'predicted');
  const y = toLabels(labels, numClasses, 'labels');
  if (p.length !== y.length) throw new Error(`@ccl/eval: predicted has ${p.length} entries but labels has ${y.length}`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < y.length; i++) m[y[i]!]![p[i]!]! += 1;
  return m;
}

/**
 * Per-class accuracy acc_k = C[k][k] / Σ_p C[k][p] (recall of class k). A class with no items gets
 * `null` (not 0: it is undefined, and averages skip it).
 */
export function perClassAccuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): (number | null)[] {
  return confusionMatrix(predicted, labels, numClasses).map((r, k) => {
    const n = r.reduce((a, b) => a + b, 0);
    return n === 0 ? null : (r[k] as number) / n;
  });
}

/** Mean of the non-null entries (the mean class accuracy); `null` when all are null. */
export function meanOfDefined(values: readonly (number | null)[]): number | null {
  const d = values.filter((v): v is number => v !== null);
  return d.length === 0 ? null : d.reduce((a, b) => a + b, 0) / d.length;
}

/** One video's outcome in {@link RecognitionResult}. */
export interface VideoPrediction {
  videoId: string;
  label: number;
  predicted: number;
  /** The best classes, best first, with their averaged probabilities. */
  top: { label: number; score: number }[];
  windows: number;
}

/** Our own results JSON (schema `ccl.recognition/1`). Accuracies are fractions in [0, 1]. */
export interface RecognitionResult {
  schema: 'ccl.recognition/1';
  numVideos: number;
  numClasses: number;
  classNames: string[];
  /** top-k accuracy per requested k, keys "1", "5", ... */
  topK: Record<string, number>;
  top1: number;
  /** Per-class top-1 accuracy; null for classes without test videos. */
  perClassAccuracy: (number | null)[];
  perClassCount: number[];
  meanClassAccuracy: number | null;
  /** confusion[true][predicted] */
  confusion: number[][];
  videos: VideoPrediction[];
  /**
   * Videos listed in `videoLabels` without any window: not scored and not in any denominator (the
   * reference's eval_accuracy.py would count them as misses unless --ignore). Empty in a complete run.
   */
  videosWithoutWindows: string[];
}

/** Inputs of {@link evaluateRecognition}. */
export interface RecognitionInput {
  /** Scores of every window `[W, K]` (all non-overlapping windows of every test video). */
  windowScores: MatrixLike;
  /** Video of each window `[W]`. */
  videoIds: readonly string[];
  /** Label of each video (every video in `videoIds` must have one). */
  videoLabels: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Class names, index = label. Defaults to "0", "1", ... */
  classNames?: readonly string[];
  kind?: ScoreKind;
  /** Which top-k accuracies to report (default [1, 5]); k larger than K is clamped (accuracy 1). */
  ks?: readonly number[];
  /** How many best classes to keep per video in `videos[].top` (default 5). */
  keepTop?: number;
  /** Throw when a labelled video has no window (default false: listed in `videosWithoutWindows`). */
  requireAllVideos?: boolean;
}

function labelOf(labels: RecognitionInput['videoLabels'], id: string): number | undefined {
  return labels instanceof Map ? labels.get(id) : (labels as Record<string, number>)[id];
}

/** Video-level evaluation: averages window softmax per video, then top-k, per-class accuracy and confusion. */
export function evaluateRecognition(input: RecognitionInput): RecognitionResult {
  const agg = aggregateVideoScores(input.windowScores, input.videoIds, input.kind ?? 'logits');
  const K = agg.scores.cols;
  const classNames = input.classNames ? [...input.classNames] : Array.from({ length: K }, (_, i) => String(i));
  if (classNames.length !== K) throw new Error(`@ccl/eval: classNames has ${classNames.length} names but scores have ${K} columns`);
  if (agg.videoIds.length === 0) throw new Error('@ccl/eval: evaluateRecognition needs at least one window');
  const labels = agg.videoIds.map((id) => {
    const l = labelOf(input.videoLabels, id);
    if (l === undefined) throw new Error(`@ccl/eval: video '${id}' has windows but no entry in videoLabels`);
    return l;
  });
  const y = toLabels(labels, K, 'videoLabels');
  const ks = input.ks ?? [1, 5];
  const keep = Math.max(input.keepTop ?? 5, 1);
  const topK: Record<string, number> = {};
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`@ccl/eval: top-k must be a positive integer, got ${k}`);
    topK[String(k)] = topKAccuracy(agg.scores, y, k);
  }
  const videos: VideoPrediction[] = [];
  const predicted: number[] = [];
  for (let v = 0; v < agg.videoIds.length; v++) {
    const s = row(agg.scores, v);
    const best = topKIndices(s, Math.max(keep, 1));
    predicted.push(best[0] as number);
    videos.push({
      videoId: agg.videoIds[v] as string,
      label: y[v] as number,
      predicted: best[0] as number,
      top: best.map((c) => ({ label: c, score: s[c] as number })),
      windows: agg.windowCounts[v] as number,
    });
  }
  const perClass = perClassAccuracy(predicted, y, K);
  const confusion = confusionMatrix(predicted, y, K);
  const scored = new Set(agg.videoIds);
  const labelled = input.videoLabels instanceof Map ? [...input.videoLabels.keys()] : Object.keys(input.videoLabels);
  const videosWithoutWindows = labelled.filter((id) => !scored.has(id));
  if (input.requireAllVideos && videosWithoutWindows.length)
    throw new Error(`@ccl/eval: ${videosWithoutWindows.length} labelled video(s) have no window scores (first: '${videosWithoutWindows[0]}')`);
  return {
    schema: 'ccl.recognition/1',
    numVideos: agg.videoIds.length,
    numClasses: K,
    classNames,
    topK,
    top1: topKAccuracy(agg.scores, y, 1),
    perClassAccuracy: perClass,
    perClassCount: confusion.map((r) => r.reduce((a, b) => a + b, 0)),
    meanClassAccuracy: meanOfDefined(perClass),
    confusion,
    videos,
    videosWithoutWindows,
  };
}

/**
 * The reference's `val.json` (written by `inference.py`, read by `util_scripts/eval_accuracy.py` of the
 * authors' code): `{"results": {videoId: [{"label": className, "score": p}, ...]}}` with the
 * `outputTopk` best classes of the window-averaged softmax, best first (reference default output_topk = 5;
 * `eval_accuracy.py -k 1` counts a hit when the label is among the first k entries).
 * Assumption (documented in docs/eval.md): video ids are the reference's (`v_<Class>_gGG_cCC`), scores are
 * the averaged probabilities, ties broken by lower class index (torch.topk's tie order is unspecified).
 */
export interface ReferenceValJson {
  results: Record<string, { label: string; score: number }[]>;
}

/** Writes video scores in the reference's `val.json` shape (see {@link ReferenceValJson}). */
export function toReferenceValJson(videos: VideoScores, classNames: readonly string[], outputTopk = 5): ReferenceValJson {
  if (classNames.length !== videos.scores.cols)
    throw new Error(`@ccl/eval: classNames has ${classNames.length} names but scores have ${videos.scores.cols} columns`);
  const results: ReferenceValJson['results'] = {};
  videos.videoIds.forEach((id, v) => {
    const s = row(videos.scores, v);
    results[id] = topKIndices(s, outputTopk).map((c) => ({ label: classNames[c] as string, score: s[c] as number }));
  });
  return { results };
}

/**
 * Top-k accuracy from a reference-shaped `val.json` (what `eval_accuracy.py` computes): a video is a hit
 * when its label's class name is among its first k result entries (sorted by score). Videos missing from
 * the results count as misses (eval_accuracy.py without --ignore).
 */
export function accuracyFromValJson(val: ReferenceValJson, videoLabels: ReadonlyMap<string, string> | Readonly<Record<string, string>>, k = 1): number {
  const entries = videoLabels instanceof Map ? [...videoLabels.entries()] : Object.entries(videoLabels as Record<string, string>);
  if (entries.length === 0) throw new Error('@ccl/eval: accuracyFromValJson needs at least one labelled video');
  let hits = 0;
  for (const [id, name] of entries) {
    const r = val.results[id];
    if (!r) continue;
    const sorted = [...r].sort((a, b) => b.score - a.score);
    if (sorted.slice(0, k).some((e) => e.label === name)) hits++;
  }
  return hits / entries.length;
}
