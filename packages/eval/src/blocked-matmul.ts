/**
 * Dense matrix products on row-major Float64Arrays (plain typed-array loops, not tfjs kernels),
 * register-blocked over 2 rows x 4 columns so that every loaded value is used several times (measured ~2-3x
 * faster than the naive triple loop in V8). Used by the probe (logits, gradient) and retrieval (similarity
 * matrix).
 */

/** C `[n, m]` = A `[n, d]` · Bᵀ, with B `[m, d]` (every pair of rows dotted). */
export function matmulTransposed(a: Float64Array, n: number, b: Float64Array, m: number, d: number): Float64Array {
  if (a.length !== n * d || b.length !== m * d)
    throw new Error(`@ccl/eval: matmulTransposed shapes [${n}, ${d}] / [${m}, ${d}] do not match buffers of ${a.length} / ${b.length}`);
  const z = new Float64Array(n * m);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const xa = i * d;
    const xb = xa + d;
    let c = 0;
    for (; c + 3 < m; c += 4) {
      const w = c * d;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0,
        b3 = 0;
      for (let k = 0; k < d; k++) {
        const u = a[xa + k]!,
          v = a[xb + k]!;
        const w0 = b[w + k]!,
          w1 = b[w + d + k]!,
          w2 = b[w + 2 * d + k]!,
          w3 = b[w + 3 * d + k]!;
        a0 += w0 * u;
        a1 += w1 * u;
        a2 += w2 * u;
        a3 += w3 * u;
        b0 += w0 * v;
        b1 += w1 * v;
        b2 += w2 * v;
        b3 += w3 * v;
      }
      const za = i * m + c;
      const zb = za + m;
      z[za] = a0;
      z[za + 1] = a1;
      z[za + 2] = a2;
      z[za + 3] = a3;
      z[zb] = b0;
      z[zb + 1] = b1;
      z[zb + 2] = b2;
      z[zb + 3] = b3;
    }
    for (; c < m; c++) {
      const w = c * d;
      let s = 0,
        t = 0;
      for (let k = 0; k < d; k++) {
        s += b[w + k]! * a[xa + k]!;
        t += b[w + k]! * a[xb + k]!;
      }
      z[i * m + c] = s;
      z[i * m + m + c] = t;
    }
  }
  for (; i < n; i++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += b[c * d + k]! * a[i * d + k]!;
      z[i * m + c] = s;
    }
  }
  return z;
}

/** G `[m, d]` += Rᵀ X for R `[n, m]`, X `[n, d]` (the weight gradient of a linear layer). */
export function addTransposedTimes(g: Float64Array, r: Float64Array, x: Float64Array, n: number, m: number, d: number): void {
  if (g.length < m * d || r.length !== n * m || x.length !== n * d) throw new Error('@ccl/eval: addTransposedTimes buffer sizes do not match the shapes');
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const xa = i * d;
    const xb = xa + d;
    const ra = i * m;
    const rb = ra + m;
    let c = 0;
    for (; c + 3 < m; c += 4) {
      const a0 = r[ra + c]!,
        a1 = r[ra + c + 1]!,
        a2 = r[ra + c + 2]!,
        a3 = r[ra + c + 3]!;
      const b0 = r[rb + c]!,
        b1 = r[rb + c + 1]!,
        b2 = r[rb + c + 2]!,
        b3 = r[rb + c + 3]!;
      const go = c * d;
      for (let k = 0; k < d; k++) {
        const u = x[xa + k]!,
          v = x[xb + k]!;
        const q = go + k;
        g[q]! += a0 * u + b0 * v;
        g[q + d]! += a1 * u + b1 * v;
        g[q + 2 * d]! += a2 * u + b2 * v;
        g[q + 3 * d]! += a3 * u + b3 * v;
      }
    }
    for (; c < m; c++) {
      const s = r[ra + c]!,
        t = r[rb + c]!;
      const go = c * d;
      for (let k = 0; k < d; k++) g[go + k]! += s * x[xa + k]! + t * x[xb + k]!;
    }
  }
  for (; i < n; i++) {
    for (let c = 0; c < m; c++) {
      const s = r[i * m + c]!;
      for (let k = 0; k < d; k++) g[c * d + k]! += s * x[i * d + k]!;
    }
  }
}
