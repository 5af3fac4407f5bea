/**
 * Plain-JS float64 reference of the torch ops used by the encoders, written independently of the tfjs
 * implementation (naive loops, torch layouts NCDHW / NCHW, torch weight layouts). No PyTorch is available
 * here, so parity tests compare the tfjs encoders against this.
 */
import { mulberry32 } from '@ccl/base';

/** A dense float64 array with a shape (row-major). */
export interface Nd {
  data: Float64Array;
  shape: number[];
}

export function nd(shape: number[], data?: ArrayLike<number>): Nd {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  if (data !== undefined) {
    if (data.length !== size) throw new Error(`nd: ${data.length} values for shape [${shape}]`);
    out.set(Array.from(data));
  }
  return { data: out, shape };
}

/** Deterministic PRNG (@ccl/base's mulberry32) for test data: uniform in [0, 1). */
export function rng(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r.next();
}

/**
 * torch.nn.functional.conv3d without bias. x [N, C, D, H, W], w [O, C, kd, kh, kw].
 */
export function conv3d(x: Nd, w: Nd, stride: [number, number, number], pad: [number, number, number]): Nd {
  const [n, c, d, h, wd] = x.shape as [number, number, number, number, number];
  const [o, ci, kd, kh, kw] = w.shape as [number, number, number, number, number];
  if (ci !== c) throw new Error(`conv3d: channels ${c} vs ${ci}`);
  const od = Math.floor((d + 2 * pad[0] - kd) / stride[0]) + 1;
  const oh = Math.floor((h + 2 * pad[1] - kh) / stride[1]) + 1;
  const ow = Math.floor((wd + 2 * pad[2] - kw) / stride[2]) + 1;
  const y = nd([n, o, od, oh, ow]);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let z = 0; z < od; z++)
        for (let yy = 0; yy < oh; yy++)
          for (let xx = 0; xx < ow; xx++) {
            let acc = 0;
            for (let ic = 0; ic < c; ic++)
              for (let a = 0; a < kd; a++) {
                const iz = z * stride[0] - pad[0] + a;
                if (iz < 0 || iz >= d) continue;
                for (let bb = 0; bb < kh; bb++) {
                  const iy = yy * stride[1] - pad[1] + bb;
                  if (iy < 0 || iy >= h) continue;
                  for (let cc = 0; cc < kw; cc++) {
                    const ix = xx * stride[2] - pad[2] + cc;
                    if (ix < 0 || ix >= wd) continue;
                    acc += x.data[(((b * c + ic) * d + iz) * h + iy) * wd + ix]! * w.data[(((oc * c + ic) * kd + a) * kh + bb) * kw + cc]!;
                  }
                }
              }
            y.data[(((b * o + oc) * od + z) * oh + yy) * ow + xx] = acc;
          }
  return y;
}

/** torch conv2d without bias, x [N, C, H, W], w [O, C, kh, kw] (conv3d with depth 1). */
export function conv2dRef(x: Nd, w: Nd, stride: number, pad: number): Nd {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, ci, kh, kw] = w.shape as [number, number, number, number];
  const y = conv3d({ data: x.data, shape: [n, c, 1, h, wd] }, { data: w.data, shape: [o, ci, 1, kh, kw] }, [1, stride, stride], [0, pad, pad]);
  return { data: y.data, shape: [y.shape[0]!, y.shape[1]!, y.shape[3]!, y.shape[4]!] };
}

/** torch max_pool2d, x [N, C, H, W] (padding never wins). */
export function maxPool2dRef(x: Nd, k: number, stride: number, pad: number): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  const y = nd([n, c, oh, ow]);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let m = -Infinity;
          for (let a = 0; a < k; a++)
            for (let bb = 0; bb < k; bb++) {
              const iy = i * stride - pad + a;
              const ix = j * stride - pad + bb;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = Math.max(m, x.data[((b * c + ch) * h + iy) * w + ix]!);
            }
          y.data[((b * c + ch) * oh + i) * ow + j] = m;
        }
  return y;
}

export interface BnParams {
  weight: Nd;
  bias: Nd;
  runningMean: Nd;
  runningVar: Nd;
}

/**
 * torch batch_norm over axis 1 of [N, C, ...]. Eval: running stats. Train: batch stats (biased var).
 */
export function batchNormRef(x: Nd, p: BnParams, training: boolean, eps = 1e-5): Nd {
  const [n, c] = x.shape as [number, number];
  const inner = x.data.length / (n * c);
  const y = nd(x.shape);
  for (let ch = 0; ch < c; ch++) {
    let mean = p.runningMean.data[ch]!;
    let variance = p.runningVar.data[ch]!;
    if (training) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) s += x.data[(b * c + ch) * inner + i]!;
      mean = s / (n * inner);
      let v = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) v += (x.data[(b * c + ch) * inner + i]! - mean) ** 2;
      variance = v / (n * inner);
    }
    const scale = p.weight.data[ch]! / Math.sqrt(variance + eps);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < inner; i++) {
        const k = (b * c + ch) * inner + i;
        y.data[k] = (x.data[k]! - mean) * scale + p.bias.data[ch]!;
      }
  }
  return y;
}

export function reluRef(x: Nd): Nd {
  return { data: x.data.map((v) => (v > 0 ? v : 0)), shape: [...x.shape] };
}

export function addRef(a: Nd, b: Nd): Nd {
  if (a.shape.join() !== b.shape.join()) throw new Error(`add: [${a.shape}] vs [${b.shape}]`);
  return { data: a.data.map((v, i) => v + b.data[i]!), shape: [...a.shape] };
}

/** mean over every axis after the first two: [N, C, ...] -> [N, C]. */
export function globalAvgPoolRef(x: Nd): Nd {
  const [n, c] = x.shape as [number, number];
  const inner = x.data.length / (n * c);
  const y = nd([n, c]);
  for (let i = 0; i < n * c; i++) {
    let s = 0;
    for (let j = 0; j < inner; j++) s += x.data[i * inner + j]!;
    y.data[i] = s / inner;
  }
  return y;
}

/** torch linear: x [N, I], w [O, I], b [O] -> [N, O]. */
export function linearRef(x: Nd, w: Nd, b: Nd): Nd {
  const [n, i] = x.shape as [number, number];
  const o = w.shape[0]!;
  const y = nd([n, o]);
  for (let r = 0; r < n; r++)
    for (let k = 0; k < o; k++) {
      let s = b.data[k]!;
      for (let j = 0; j < i; j++) s += x.data[r * i + j]! * w.data[k * i + j]!;
      y.data[r * o + k] = s;
    }
  return y;
}

/** Channels-last [N, ..., C] -> torch channels-first [N, C, ...]. */
export function channelsFirst(data: ArrayLike<number>, shape: number[]): Nd {
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  const inner = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const y = nd([n, c, ...shape.slice(1, -1)]);
  for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) for (let ch = 0; ch < c; ch++) y.data[(b * c + ch) * inner + i] = data[(b * inner + i) * c + ch]!;
  return y;
}
