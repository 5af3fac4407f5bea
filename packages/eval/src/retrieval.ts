/**
 * Retrieval (METHOD §6): queries (test videos) rank the gallery (training videos) by cosine similarity
 * of their features (the student's pooled feature averaged over the video's windows); a query scores a
 * hit at K when any of its K nearest gallery items has its class. R@K = hits / #queries.
 *
 * Deterministic ties: gallery items with equal similarity are ranked by lower gallery index first.
 * K larger than the gallery is clamped to the gallery size. Queries whose class has no gallery item can
 * never hit: they stay in the R@K denominator (counted as misses) and are left out of mAP (AP undefined);
 * both are reported in `queriesWithoutRelevant`.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { matmulTransposed } from './blocked-matmul';
import { type Matrix, type MatrixLike, toLabels, toMatrix } from './matrix';

/** Mean of the rows of each group: window features `[W, D]` -> video features `[V, D]`, videos in first-appearance order. */
export function averageByGroup(features: MatrixLike, groupIds: readonly string[]): { ids: string[]; features: Matrix } {
  const f = toMatrix(features, 'features');
  if (groupIds.length !== f.rows) throw new Error(`@ccl/eval: features have ${f.rows} rows but groupIds has ${groupIds.length} entries`);
  const ids: string[] = [];
  const slot = new Map<string, number>();
  for (const id of groupIds) if (!slot.has(id)) slot.set(id, ids.push(id) - 1);
  const D = f.cols;
  const out = new Float64Array(ids.length * D);
  const n = new Array<number>(ids.length).fill(0);
  for (let r = 0; r < f.rows; r++) {
    const g = slot.get(groupIds[r]!)!;
    n[g]!++;
    for (let c = 0; c < D; c++) out[g * D + c]! += f.data[r * D + c]!;
  }
  for (let g = 0; g < ids.length; g++) for (let c = 0; c < D; c++) out[g * D + c]! /= n[g]!;
  return { ids, features: { rows: ids.length, cols: D, data: out } };
}

/** Rows scaled to unit L2 norm (a zero row stays zero, so its cosine similarity to everything is 0). */
export function l2NormalizeRows(m: Matrix): Matrix {
  const out = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += m.data[r * m.cols + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < m.cols; c++) out[r * m.cols + c] = m.data[r * m.cols + c]! * inv;
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Cosine similarity cos(q, g) = q·g / (|q| |g|) of every query with every gallery item, `[Q, G]`. */
export function cosineSimilarity(queries: MatrixLike, gallery: MatrixLike): Matrix {
  const q = l2NormalizeRows(toMatrix(queries, 'queries'));
  const g = l2NormalizeRows(toMatrix(gallery, 'gallery'));
  if (q.cols !== g.cols) throw new Error(`@ccl/eval: queries have ${q.cols} dims but gallery has ${g.cols}`);
  const out = matmulTransposed(q.data, q.rows, g.data, g.rows, q.cols);
  return { rows: q.rows, cols: g.rows, data: out };
}

/** Gallery indices by decreasing similarity; ties by lower gallery index. */
export function rankGallery(similarities: ArrayLike<number>): number[] {
  const idx = Array.from({ length: similarities.length }, (_, i) => i);
  idx.sort((a, b) => similarities[b]! - similarities[a]! || a - b);
  return idx;
}

function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * 1-based ranks, ascending, of the gallery items of class `label` in the order of {@link rankGallery},
 * without sorting indices: rank_j = 1 + #{g : s_g > s_j} + #{g < j : s_g = s_j}, counted by binary search
 * in the natively sorted similarities (ties scanned only when present).
 */
export function relevantRanks(similarities: Float64Array, galleryLabels: ArrayLike<number>, label: number): number[] {
  const sorted = Float64Array.from(similarities).sort();
  const G = similarities.length;
  const ranks: number[] = [];
  for (let j = 0; j < G; j++) {
    if (galleryLabels[j] !== label) continue;
    const v = similarities[j]!;
    const ub = upperBound(sorted, v);
    let rank = 1 + (G - ub);
    if (ub - lowerBound(sorted, v) > 1) for (let g = 0; g < j; g++) if (similarities[g] === v) rank++;
    ranks.push(rank);
  }
  return ranks.sort((a, b) => a - b);
}

/** Result of {@link evaluateRetrieval}; recalls and mAP are fractions in [0, 1]. */
export interface RetrievalResult {
  schema: 'ccl.retrieval/1';
  numQueries: number;
  numGallery: number;
  /** R@K per requested K, keys "1", "5", ...: fraction of queries with a same-class item among the K nearest. */
  recallAtK: Record<string, number>;
  /** Mean over queries (with at least one relevant gallery item) of average precision over the full ranking. */
  mAP: number | null;
  queriesWithoutRelevant: number;
  /** For each query, rank (1-based) of its first same-class gallery item; null when there is none. */
  firstHitRank: (number | null)[];
}

/** Inputs of {@link evaluateRetrieval}. */
export interface RetrievalInput {
  queries: MatrixLike;
  queryLabels: ArrayLike<number> | Tensor;
  gallery: MatrixLike;
  galleryLabels: ArrayLike<number> | Tensor;
  /** Default [1, 5, 10, 20]. */
  ks?: readonly number[];
}

/**
 * R@K and mAP. AP of a query with R relevant items at ranks r_1 < ... < r_R: AP = (1/R) Σ_i i / r_i.
 */
export function evaluateRetrieval(input: RetrievalInput): RetrievalResult {
  const q = toMatrix(input.queries, 'queries');
  const gm = toMatrix(input.gallery, 'gallery');
  if (q.rows === 0 || gm.rows === 0) throw new Error(`@ccl/eval: retrieval needs at least one query and one gallery item (got ${q.rows} and ${gm.rows})`);
  const sims = cosineSimilarity(q, gm);
  const big = 1 << 30;
  const yq = toLabels(input.queryLabels, big, 'queryLabels');
  const yg = toLabels(input.galleryLabels, big, 'galleryLabels');
  if (yq.length !== sims.rows) throw new Error(`@ccl/eval: queries have ${sims.rows} rows but queryLabels has ${yq.length} entries`);
  if (yg.length !== sims.cols) throw new Error(`@ccl/eval: gallery has ${sims.cols} rows but galleryLabels has ${yg.length} entries`);
  const ks = input.ks ?? [1, 5, 10, 20];
  for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new Error(`@ccl/eval: K must be a positive integer, got ${k}`);
  const firstHitRank: (number | null)[] = [];
  let apSum = 0;
  let apCount = 0;
  for (let i = 0; i < sims.rows; i++) {
    const ranks = relevantRanks(sims.data.subarray(i * sims.cols, (i + 1) * sims.cols), yg, yq[i]!);
    firstHitRank.push(ranks.length ? ranks[0]! : null);
    if (ranks.length) {
      let ap = 0;
      ranks.forEach((r, j) => {
        ap += (j + 1) / r;
      });
      apSum += ap / ranks.length;
      apCount++;
    }
  }
  const recallAtK: Record<string, number> = {};
  for (const k of ks) {
    const kk = Math.min(k, sims.cols);
    recallAtK[String(k)] = firstHitRank.filter((r) => r !== null && r <= kk).length / sims.rows;
  }
  return {
    schema: 'ccl.retrieval/1',
    numQueries: sims.rows,
    numGallery: sims.cols,
    recallAtK,
    mAP: apCount === 0 ? null : apSum / apCount,
    queriesWithoutRelevant: sims.rows - apCount,
    firstHitRank,
  };
}

/**
 * Per-class R@K of a retrieval result: for class k, the fraction of its queries with a same-class gallery
 * item among the K nearest (null for classes without queries). With teacher features as queries and
 * gallery this is a training-free per-class agreement score for the semantic-gap split.
 */
export function perClassRecallAtK(result: RetrievalResult, queryLabels: ArrayLike<number> | Tensor, numClasses: number, k = 1): (number | null)[] {
  const y = toLabels(queryLabels, numClasses, 'queryLabels');
  if (y.length !== result.numQueries) throw new Error(`@ccl/eval: retrieval result has ${result.numQueries} queries but queryLabels has ${y.length} entries`);
  const kk = Math.min(k, result.numGallery);
  const hits = new Array<number>(numClasses).fill(0);
  const counts = new Array<number>(numClasses).fill(0);
  y.forEach((c, i) => {
    counts[c]!++;
    const r = result.firstHitRank[i];
    if (r !== null && r !== undefined && r <= kk) hits[c]!++;
  });
  return counts.map((n, c) => (n === 0 ? null : hits[c]! / n));
}
