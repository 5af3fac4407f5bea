/**
 * Dense row-major matrices used by every metric in this package, and the conversions that accept what
 * callers have at hand: nested arrays, typed arrays with a shape, or tfjs tensors.
 *
 * Metrics run on plain Float64Arrays (exact, no tensor lifetimes to manage); a tf.Tensor input is read
 * with `dataSync()` and never disposed here (the caller owns it).
 */
import type { Tensor } from '@tensorflow/tfjs-core';

/** A dense matrix, row-major: `data[r * cols + c]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Plain typed-array matrix input: `data.length === rows * cols`. */
export interface TypedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array | ArrayLike<number>;
}

/** Anything accepted as a matrix: nested arrays, a typed matrix, or a rank-2 tf tensor. */
export type MatrixLike = readonly (readonly number[])[] | readonly (Float32Array | Float64Array)[] | TypedMatrix | Tensor;

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && typeof (x as Tensor).dataSync === 'function' && Array.isArray((x as Tensor).shape);
}

/**
 * Converts `x` to a {@link Matrix} (copying). `what` names the argument in error messages.
 * Throws when rows are ragged, the shape is not 2-D, or an entry is not finite.
 */
export function toMatrix(x: MatrixLike, what = 'matrix'): Matrix {
  let rows: number;
  let cols: number;
  let data: Float64Array;
  if (isTensor(x)) {
    if (x.shape.length !== 2) throw new Error(`@ccl/eval: ${what} must be a rank-2 tensor, got shape [${x.shape.join(', ')}]`);
    [rows, cols] = x.shape as [number, number];
    data = Float64Array.from(x.dataSync() as ArrayLike<number>);
  } else if (Array.isArray(x)) {
    rows = x.length;
    cols = rows > 0 ? (x[0] as ArrayLike<number>).length : 0;
    data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = x[r] as ArrayLike<number>;
      if (row.length !== cols) throw new Error(`@ccl/eval: ${what} row ${r} has ${row.length} entries, expected ${cols} (ragged rows)`);
      for (let c = 0; c < cols; c++) data[r * cols + c] = row[c] as number;
    }
  } else {
    const t = x as TypedMatrix;
    rows = t.rows;
    cols = t.cols;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw new Error(`@ccl/eval: ${what} has invalid shape [${rows}, ${cols}]`);
    if (t.data.length !== rows * cols) throw new Error(`@ccl/eval: ${what} data has ${t.data.length} entries, expected rows*cols = ${rows * cols}`);
    data = Float64Array.from(t.data);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new Error(`@ccl/eval: ${what} has a non-finite entry at row ${Math.floor(i / Math.max(cols, 1))}, column ${i % Math.max(cols, 1)}`);
  }
  return { rows, cols, data };
}

/** Converts a label vector (array, typed array or rank-1 tensor) to integers, checking the range [0, numClasses). */
export function toLabels(y: ArrayLike<number> | Tensor, numClasses: number, what = 'labels'): Int32Array {
  const src = isTensor(y) ? (y.dataSync() as ArrayLike<number>) : y;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new Error(`@ccl/eval: ${what}[${i}] = ${v} is not a class index in [0, ${numClasses})`);
    out[i] = v;
  }
  return out;
}

/** Row `r` of `m` as a subarray view (no copy). */
export function row(m: Matrix, r: number): Float64Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}

/** Row-wise softmax (numerically stable: subtracts each row's max). `[N, K] -> [N, K]`. */
export function softmaxRows(logits: Matrix): Matrix {
  const out = new Float64Array(logits.data.length);
  for (let r = 0; r < logits.rows; r++) {
    const o = r * logits.cols;
    let max = -Infinity;
    for (let c = 0; c < logits.cols; c++) max = Math.max(max, logits.data[o + c] as number);
    let sum = 0;
    for (let c = 0; c < logits.cols; c++) {
      const e = Math.exp((logits.data[o + c] as number) - max);
      out[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < logits.cols; c++) out[o + c] = (out[o + c] as number) / sum;
  }
  return { rows: logits.rows, cols: logits.cols, data: out };
}

/**
 * Indices of the `k` largest entries of `v`, best first. Ties: the lower index ranks first (a stable,
 * deterministic order). `k` larger than `v.length` is clamped.
 */
export function topKIndices(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => (v[b] as number) - (v[a] as number) || a - b);
  return idx.slice(0, Math.min(k, v.length));
}
