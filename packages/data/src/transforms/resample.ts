/**
 * Image resampling identical to Pillow's `Image.resize(..., BILINEAR)` on 8-bit images (the reference
 * transforms run on PIL images): separable passes (horizontal, then vertical, each rounded to uint8),
 * triangle filter widened by the downscale factor (antialiasing), coefficients in 22-bit fixed point.
 * Pillow's Resample.c: support = 1 * max(scale, 1); for output x, centre c = (x + 0.5) * scale,
 * taps xmin = max(trunc(c - support + 0.5), 0) .. trunc(c + support + 0.5) (exclusive, <= size),
 * w_k = tri((xmin + k - c + 0.5) / max(scale, 1)), normalised to sum 1.
 */

const PRECISION_BITS = 32 - 8 - 2;

interface Coeffs {
  bounds: Int32Array; // [out, 2]: xmin, count
  weights: Int32Array; // [out, ksize] fixed point
  ksize: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

function precompute(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = triangle((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? (k[x] as number) / ww : (k[x] as number);
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

function clip8(acc: number): number {
  // acc fits in a double exactly (< 2^53); shift by division + floor like C's arithmetic shift.
  const v = Math.floor(acc / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resizes one 8-bit image `[H, W, C]` to `[outH, outW, C]` exactly as Pillow's bilinear resize.
 * A pass whose size does not change is skipped (as in Pillow).
 */
export function resizeBilinearPil(src: Uint8Array, h: number, w: number, c: number, outH: number, outW: number): Uint8Array {
  if (src.length !== h * w * c) throw new Error(`resizeBilinearPil: ${src.length} values is not ${h}x${w}x${c}`);
  if (!(outH >= 1 && outW >= 1)) throw new Error(`resizeBilinearPil: bad output size ${outH}x${outW}`);
  let cur = src;
  let curW = w;
  if (outW !== w) {
    const { bounds, weights, ksize } = precompute(w, outW);
    const out = new Uint8Array(h * outW * c);
    const half = 1 << (PRECISION_BITS - 1);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[2 * xx] as number;
        const n = bounds[2 * xx + 1] as number;
        for (let ch = 0; ch < c; ch++) {
          let acc = half;
          for (let x = 0; x < n; x++) acc += (cur[(y * w + xmin + x) * c + ch] as number) * (weights[xx * ksize + x] as number);
          out[(y * outW + xx) * c + ch] = clip8(acc);
        }
      }
    }
    cur = out;
    curW = outW;
  }
  if (outH !== h) {
    const { bounds, weights, ksize } = precompute(h, outH);
    const out = new Uint8Array(outH * curW * c);
    const half = 1 << (PRECISION_BITS - 1);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[2 * yy] as number;
      const n = bounds[2 * yy + 1] as number;
      for (let x = 0; x < curW; x++) {
        for (let ch = 0; ch < c; ch++) {
          let acc = half;
          for (let y = 0; y < n; y++) acc += (cur[((ymin + y) * curW + x) * c + ch] as number) * (weights[yy * ksize + y] as number);
          out[(yy * curW + x) * c + ch] = clip8(acc);
        }
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}
