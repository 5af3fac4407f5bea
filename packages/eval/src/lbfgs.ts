/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 two-loop recursion and
 * Alg. 7.5) with a backtracking Armijo line search, for smooth convex objectives on Float64Arrays.
 */

/** Writes the gradient of f at x into `grad` and returns f(x). */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Maximum iterations (default 500). */
  maxIterations?: number;
  /** Pairs kept (default 10). */
  memory?: number;
  /** Stop when max_i |g_i| <= gradTolerance (default 1e-6). */
  gradTolerance?: number;
  /** Stop when (f_prev - f) <= relTolerance * max(|f|, 1) (default 1e-10). */
  relTolerance?: number;
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Objective after every iteration (index 0 = starting point). */
  history: number[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Minimises f from x0 (not modified). */
export function minimizeLbfgs(f: ObjectiveWithGradient, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIt = options.maxIterations ?? 500;
  const m = options.memory ?? 10;
  const gtol = options.gradTolerance ?? 1e-6;
  const rtol = options.relTolerance ?? 1e-10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  const history = [fx];
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Array<number>(m).fill(0);
  let converged = false;
  let it = 0;
  const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  if (maxAbs(g) <= gtol) converged = true;
  while (!converged && it < maxIt) {
    // d = -H g by the two-loop recursion
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(S[j]!, d);
      const yj = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[j]! * yj[i]!;
    }
    let gamma = 1;
    if (S.length > 0) gamma = dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!);
    else gamma = 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12); // first step of unit length
    for (let i = 0; i < n; i++) d[i]! *= gamma;
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j]! * dot(Y[j]!, d);
      const sj = S[j]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[j]! - beta) * sj[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart with steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = -dot(g, g);
    }
    // backtracking Armijo: f(x + t d) <= f(x) + c1 t g·d
    let t = 1;
    const xn = new Float64Array(n);
    const gn = new Float64Array(n);
    let fn = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i]! + t * d[i]!;
      fn = f(xn, gn);
      evaluations++;
      if (fn <= fx + 1e-4 * t * slope) break;
      t *= 0.5;
    }
    if (!(fn < fx)) {
      converged = true;
      break;
    } // no progress possible at machine precision
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fPrev = fx;
    x = xn;
    g = gn;
    fx = fn;
    it++;
    history.push(fx);
    if (maxAbs(g) <= gtol || fPrev - fx <= rtol * Math.max(Math.abs(fx), 1)) converged = true;
  }
  return { x, value: fx, iterations: it, evaluations, converged, history };
}
