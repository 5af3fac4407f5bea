/**
 * Linear probe of a feature set: standardise with the training statistics, fit multinomial logistic
 * regression with an L2 penalty by L-BFGS, report top-1 on the test part.
 *
 * Objective (W `[C, D]`, b `[C]`, N training rows):
 *   L(W, b) = (1/N) Σ_i -log softmax(W x_i + b)_{y_i} + (λ/2) ||W||_F²      (b is not penalised)
 *   ∂L/∂W = (1/N) (P - Y)ᵀ X + λ W,   ∂L/∂b = (1/N) Σ_i (p_i - y_i)
 * Plain typed-array code: on the pure-JS tfjs backend the same matmuls are several times slower.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { mulberry32, shuffled } from '@ccl/base';
import { addTransposedTimes, matmulTransposed } from './blocked-matmul';
import { type LbfgsOptions, minimizeLbfgs } from './lbfgs';
import { type MatrixLike, toLabels, toMatrix } from './matrix';
import { meanOfDefined, perClassAccuracy } from './recognition';

/** Row-major features: `data[i * dims + d]` (Float64: faster than Float32 in V8's loops, measured). */
export interface FeatureMatrix {
  readonly rows: number;
  readonly dims: number;
  readonly data: Float64Array;
}

/** Per-dimension mean and standard deviation of the training rows (std 0 is replaced by 1). */
export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
}

function toFeatureMatrix(x: MatrixLike, what: string): FeatureMatrix {
  const m = toMatrix(x, what);
  return { rows: m.rows, dims: m.cols, data: m.data };
}

/** Fits mean and (population) std per dimension on `x`. */
export function fitStandardizer(x: FeatureMatrix): Standardizer {
  const mean = new Float64Array(x.dims);
  const sq = new Float64Array(x.dims);
  for (let i = 0; i < x.rows; i++) for (let d = 0; d < x.dims; d++) mean[d]! += x.data[i * x.dims + d]!;
  for (let d = 0; d < x.dims; d++) mean[d]! /= Math.max(x.rows, 1);
  for (let i = 0; i < x.rows; i++) for (let d = 0; d < x.dims; d++) sq[d]! += (x.data[i * x.dims + d]! - mean[d]!) ** 2;
  const std = sq.map((s) => {
    const v = Math.sqrt(s / Math.max(x.rows, 1));
    return v > 1e-12 ? v : 1;
  });
  return { mean, std };
}

/** (x - mean) / std, row by row. */
export function applyStandardizer(x: FeatureMatrix, s: Standardizer): FeatureMatrix {
  if (s.mean.length !== x.dims) throw new Error(`@ccl/eval: standardizer has ${s.mean.length} dims but features have ${x.dims}`);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) for (let d = 0; d < x.dims; d++) out[i * x.dims + d] = (x.data[i * x.dims + d]! - s.mean[d]!) / s.std[d]!;
  return { rows: x.rows, dims: x.dims, data: out };
}

/** Logits `[N, C]` = X Wᵀ + b for parameters θ = [W `[C, D]` row-major, b `[C]`]. */
export function softmaxRegressionLogits(theta: Float64Array, x: FeatureMatrix, numClasses: number): Float64Array {
  const D = x.dims;
  const C = numClasses;
  const z = matmulTransposed(x.data, x.rows, theta.subarray(0, C * D), C, D);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < C; c++) z[r * C + c]! += theta[C * D + c]!;
  return z;
}

/**
 * Loss L(θ) and its gradient (written into `grad`) of L2-penalised multinomial logistic regression, see
 * the module comment. θ = [W `[C, D]`, b `[C]`].
 */
export function softmaxRegressionLossAndGradient(
  theta: Float64Array,
  grad: Float64Array,
  x: FeatureMatrix,
  y: Int32Array,
  numClasses: number,
  l2: number,
): number {
  const D = x.dims;
  const C = numClasses;
  const N = x.rows;
  const z = softmaxRegressionLogits(theta, x, C); // becomes the residual P - Y, scaled by 1/N
  grad.fill(0);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const zo = i * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[zo + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[zo + c]! - max);
    loss += Math.log(sum) + max - z[zo + y[i]!]!;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(z[zo + c]! - max) / sum;
      z[zo + c] = p / N;
      grad[C * D + c]! += p / N;
    }
    z[zo + y[i]!]! -= 1 / N;
    grad[C * D + y[i]!]! -= 1 / N;
  }
  addTransposedTimes(grad, z, x.data, N, C, D);
  loss /= N;
  let pen = 0;
  for (let k = 0; k < C * D; k++) {
    pen += theta[k]! ** 2;
    grad[k]! += l2 * theta[k]!;
  }
  return loss + 0.5 * l2 * pen;
}

/** Default L2 weight of the probe (see {@link ProbeOptions.l2}). */
export const DEFAULT_L2 = 1e-2;

/** A fitted probe model. */
export interface SoftmaxRegression {
  numClasses: number;
  dims: number;
  /** [W `[C, D]`, b `[C]`] in the standardised feature space. */
  theta: Float64Array;
  standardizer: Standardizer;
  iterations: number;
  evaluations: number;
  converged: boolean;
  finalLoss: number;
  lossHistory: number[];
}

/** Options of {@link fitSoftmaxRegression}. */
export interface ProbeOptions extends LbfgsOptions {
  /**
   * L2 weight λ on W (default 1e-2, relative to the mean cross-entropy). Measured on the released UCF51
   * audio features, split 1 (docs/eval.md): λ = 1e-3 / 3e-3 / 1e-2 / 3e-2 gave test top-1 44.9 / 45.7 /
   * 46.9 / 46.9 %; {@link selectL2} with the UCF101 groups held out (no test data) also picks 1e-2.
   */
  l2?: number;
}

/** Standardises `x` with its own statistics and fits the model. */
export function fitSoftmaxRegression(
  x: MatrixLike | FeatureMatrix,
  labels: ArrayLike<number> | Tensor,
  numClasses: number,
  options: ProbeOptions = {},
): SoftmaxRegression {
  const raw = isFeatureSet(x) ? x : toFeatureMatrix(x, 'train features');
  const y = toLabels(labels, numClasses, 'train labels');
  if (y.length !== raw.rows) throw new Error(`@ccl/eval: train features have ${raw.rows} rows but train labels have ${y.length}`);
  if (raw.rows === 0) throw new Error('@ccl/eval: linear probe needs at least one training row');
  const l2 = options.l2 ?? DEFAULT_L2;
  if (!(l2 >= 0)) throw new Error(`@ccl/eval: l2 must be >= 0, got ${l2}`);
  const standardizer = fitStandardizer(raw);
  const xs = applyStandardizer(raw, standardizer);
  const theta0 = new Float64Array(numClasses * (raw.dims + 1));
  const res = minimizeLbfgs((t, g) => softmaxRegressionLossAndGradient(t, g, xs, y, numClasses, l2), theta0, {
    maxIterations: options.maxIterations ?? 100,
    memory: options.memory ?? 10,
    gradTolerance: options.gradTolerance ?? 1e-5,
    relTolerance: options.relTolerance ?? 1e-6,
  });
  return {
    numClasses,
    dims: raw.dims,
    theta: res.x,
    standardizer,
    iterations: res.iterations,
    evaluations: res.evaluations,
    converged: res.converged,
    finalLoss: res.value,
    lossHistory: res.history,
  };
}

function isFeatureSet(x: unknown): x is FeatureMatrix {
  return typeof x === 'object' && x !== null && (x as FeatureMatrix).data instanceof Float64Array && typeof (x as FeatureMatrix).dims === 'number';
}

/** Predicted classes (argmax of the logits, ties to the lower index) for raw (unstandardised) features. */
export function predictSoftmaxRegression(model: SoftmaxRegression, x: MatrixLike | FeatureMatrix): Int32Array {
  const raw = isFeatureSet(x) ? x : toFeatureMatrix(x, 'test features');
  if (raw.dims !== model.dims) throw new Error(`@ccl/eval: model has ${model.dims} dims but features have ${raw.dims}`);
  const z = softmaxRegressionLogits(model.theta, applyStandardizer(raw, model.standardizer), model.numClasses);
  const C = model.numClasses;
  const out = new Int32Array(raw.rows);
  for (let i = 0; i < raw.rows; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (z[i * C + c]! > z[i * C + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Result of {@link linearProbe}. */
export interface ProbeResult {
  schema: 'ccl.probe/1';
  numTrain: number;
  numTest: number;
  dims: number;
  numClasses: number;
  l2: number;
  /** Test top-1 accuracy in [0, 1]. */
  top1: number;
  trainTop1: number;
  perClassAccuracy: (number | null)[];
  meanClassAccuracy: number | null;
  iterations: number;
  evaluations: number;
  converged: boolean;
  finalLoss: number;
  predictions: number[];
}

/** A probe's result in brief (bench.json, a run's summary): test and train top-1, the sizes it was fitted on. */
export interface ProbeSummary {
  top1: number;
  trainTop1: number;
  train: number;
  test: number;
  dims: number;
}

/** The brief of a {@link linearProbe} result. */
export function summariseProbe(r: ProbeResult): ProbeSummary {
  return { top1: r.top1, trainTop1: r.trainTop1, train: r.numTrain, test: r.numTest, dims: r.dims };
}

/** Inputs of {@link linearProbe}. */
export interface ProbeInput {
  train: { features: MatrixLike | FeatureMatrix; labels: ArrayLike<number> | Tensor };
  test: { features: MatrixLike | FeatureMatrix; labels: ArrayLike<number> | Tensor };
  numClasses: number;
  options?: ProbeOptions;
}

/** Fits on `train`, evaluates on `test`: top-1, per-class accuracy, optimiser diagnostics. */
export function linearProbe(input: ProbeInput): ProbeResult {
  const C = input.numClasses;
  const trainX = isFeatureSet(input.train.features) ? input.train.features : toFeatureMatrix(input.train.features, 'train features');
  const testX = isFeatureSet(input.test.features) ? input.test.features : toFeatureMatrix(input.test.features, 'test features');
  const yTrain = toLabels(input.train.labels, C, 'train labels');
  const yTest = toLabels(input.test.labels, C, 'test labels');
  if (yTest.length !== testX.rows) throw new Error(`@ccl/eval: test features have ${testX.rows} rows but test labels have ${yTest.length}`);
  if (testX.rows === 0) throw new Error('@ccl/eval: linear probe needs at least one test row');
  const model = fitSoftmaxRegression(trainX, yTrain, C, input.options);
  const pred = predictSoftmaxRegression(model, testX);
  const predTrain = predictSoftmaxRegression(model, trainX);
  const acc = (p: Int32Array, y: Int32Array) => p.reduce((a, v, i) => a + (v === y[i] ? 1 : 0), 0) / y.length;
  const perClass = perClassAccuracy(pred, yTest, C);
  return {
    schema: 'ccl.probe/1',
    numTrain: trainX.rows,
    numTest: testX.rows,
    dims: trainX.dims,
    numClasses: C,
    l2: input.options?.l2 ?? DEFAULT_L2,
    top1: acc(pred, yTest),
    trainTop1: acc(predTrain, yTrain),
    perClassAccuracy: perClass,
    meanClassAccuracy: meanOfDefined(perClass),
    iterations: model.iterations,
    evaluations: model.evaluations,
    converged: model.converged,
    finalLoss: model.finalLoss,
    predictions: Array.from(pred),
  };
}

/**
 * Stratified split of row indices: from each class, round(fraction * n_k) rows (at least 1 when the class
 * has 2 or more rows, none when it has 1) go to `holdout`, picked by a seeded shuffle. Both lists sorted.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, seed = 0): { keep: number[]; holdout: number[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`@ccl/eval: split fraction must be in (0, 1), got ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const rng = mulberry32(seed);
  const keep: number[] = [];
  const holdout: number[] = [];
  for (const k of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffled(byClass.get(k)!, rng);
    const h = idx.length < 2 ? 0 : Math.max(1, Math.round(fraction * idx.length));
    holdout.push(...idx.slice(0, h));
    keep.push(...idx.slice(h));
  }
  return { keep: keep.sort((a, b) => a - b), holdout: holdout.sort((a, b) => a - b) };
}

/**
 * Group-aware split: whole groups (e.g. UCF101's gGG actor/scene groups, whose clips are near duplicates)
 * go to `holdout`, picked by a seeded shuffle of the distinct groups until at least `fraction` of the rows
 * are held out. A random row split leaks near-duplicates across the split and favours weak regularisation.
 */
export function groupHoldoutSplit(groups: ArrayLike<string | number>, fraction: number, seed = 0): { keep: number[]; holdout: number[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`@ccl/eval: split fraction must be in (0, 1), got ${fraction}`);
  const sorted = [...new Set(Array.from(groups))].sort((a, b) => String(a).localeCompare(String(b)));
  if (sorted.length < 2) throw new Error(`@ccl/eval: a group split needs at least 2 groups, got ${sorted.length}`);
  const distinct = shuffled(sorted, mulberry32(seed));
  const size = new Map<string | number, number>();
  for (let i = 0; i < groups.length; i++) size.set(groups[i]!, (size.get(groups[i]!) ?? 0) + 1);
  const held = new Set<string | number>();
  let n = 0;
  for (const g of distinct.slice(0, -1)) {
    if (n >= fraction * groups.length) break;
    held.add(g);
    n += size.get(g)!;
  }
  const keep: number[] = [];
  const holdout: number[] = [];
  for (let i = 0; i < groups.length; i++) (held.has(groups[i]!) ? holdout : keep).push(i);
  return { keep, holdout };
}

/** Rows `idx` of a feature set. */
export function selectRows(x: FeatureMatrix, idx: readonly number[]): FeatureMatrix {
  const out = new Float64Array(idx.length * x.dims);
  idx.forEach((r, i) => out.set(x.data.subarray(r * x.dims, (r + 1) * x.dims), i * x.dims));
  return { rows: idx.length, dims: x.dims, data: out };
}

/** Validation accuracy of each candidate λ from {@link selectL2}. */
export interface L2Selection {
  l2: number;
  candidates: { l2: number; validationTop1: number }[];
}

/**
 * Chooses the probe's λ on a held-out part of the training set (never the test set): fits on the rest for
 * every candidate, keeps the best validation top-1 (ties: the larger λ, the simpler model). With `groups`
 * whole groups are held out ({@link groupHoldoutSplit}, recommended for UCF101-style data); otherwise a
 * stratified random split ({@link stratifiedSplit}).
 */
export function selectL2(
  features: MatrixLike | FeatureMatrix,
  labels: ArrayLike<number> | Tensor,
  numClasses: number,
  candidates: readonly number[] = [1e-3, 1e-2, 1e-1],
  options: ProbeOptions & { validationFraction?: number; seed?: number; groups?: ArrayLike<string | number> } = {},
): L2Selection {
  const x = isFeatureSet(features) ? features : toFeatureMatrix(features, 'train features');
  const y = toLabels(labels, numClasses, 'train labels');
  if (candidates.length === 0) throw new Error('@ccl/eval: selectL2 needs at least one candidate');
  if (options.groups && options.groups.length !== y.length)
    throw new Error(`@ccl/eval: selectL2: groups has ${options.groups.length} entries but there are ${y.length} rows`);
  const { keep, holdout } = options.groups
    ? groupHoldoutSplit(options.groups, options.validationFraction ?? 0.2, options.seed ?? 0)
    : stratifiedSplit(y, options.validationFraction ?? 0.2, options.seed ?? 0);
  if (holdout.length === 0) throw new Error('@ccl/eval: selectL2: the validation split is empty (every class has a single row)');
  const xs = selectRows(x, keep);
  const ys = Int32Array.from(keep.map((i) => y[i]!));
  const xv = selectRows(x, holdout);
  const results = candidates.map((l2) => {
    const model = fitSoftmaxRegression(xs, ys, numClasses, { ...options, l2 });
    const p = predictSoftmaxRegression(model, xv);
    return { l2, validationTop1: holdout.reduce((a, r, i) => a + (p[i] === y[r] ? 1 : 0), 0) / holdout.length };
  });
  let best = results[0]!;
  for (const r of results) if (r.validationTop1 > best.validationTop1 || (r.validationTop1 === best.validationTop1 && r.l2 > best.l2)) best = r;
  return { l2: best.l2, candidates: results };
}
