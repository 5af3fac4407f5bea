import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import type { KernelCalls } from './wasm-calls';

/**
 * Input gradient of a strided conv without the inserted zeros (sub-pixel / phase decomposition; Shi et
 * al., "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel CNN", CVPR 2016).
 *
 * Along one axis (stride s, kernel k, top pad p): dx[h] = sum_{o, i : o s + i - p = h} dy[o] w[i]. For the
 * output phase c (h = q s + c) only the taps i = r_c + s m with r_c = (c + p) mod s contribute, with
 * o = q + e_c - m, e_c = floor((c + p) / s):
 *     dx[q s + c] = sum_{m < M_c} dy[q + e_c - m] w[r_c + s m],   M_c = ceil((k - r_c) / s)
 * a stride-1 correlation of dy (padded by M_c - 1 - e_c on top) with the flipped sub-kernel
 * w[r_c + s (M_c - 1 - j)], j < M_c. The s_h s_w phase outputs [N, Qh, Qw, Cin] (Q = ceil(H / s)) are
 * interleaved into [N, Qh sh, Qw sw, Cin] and cropped to [N, H, W, Cin]. Same multiply-adds as the
 * forward conv, where inserting zeros costs s_h s_w times as many.
 */
export function conv2dBackpropInputByPhases(k: KernelCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, owned: tf.TensorInfo[]): tf.TensorInfo {
  const { strideHeight: sh, strideWidth: sw, batch: n, inChannels: cin } = g;
  const qh = Math.ceil(g.inHeight / sh);
  const qw = Math.ceil(g.inWidth / sw);
  const rowsOfPhases: tf.TensorInfo[] = [];
  for (let ch = 0; ch < sh; ch++) {
    const rows = axisPhase(ch, sh, g.filterHeight, g.padTop, g.outHeight, qh);
    const cols: tf.TensorInfo[] = [];
    for (let cw = 0; cw < sw; cw++) {
      const colsPhase = axisPhase(cw, sw, g.filterWidth, g.padLeft, g.outWidth, qw);
      const out = phaseOutput(k, dy, filter, g, rows, colsPhase, qh, qw, owned); // [N, Qh, Qw, Cin]
      cols.push(own(owned, k.reshape(out, [1, n * qh * qw, cin])));
    }
    // [sw, N Qh Qw, Cin] -> [N Qh Qw, sw, Cin] = [N, Qh, Qw sw, Cin]: columns interleaved
    const stacked = cols.length > 1 ? own(owned, k.concat(cols, 0)) : cols[0];
    const interleaved = sw > 1 ? own(owned, k.transpose(stacked, [1, 0, 2])) : stacked;
    rowsOfPhases.push(own(owned, k.reshape(interleaved, [1, n * qh, qw * sw * cin])));
  }
  // [sh, N Qh, Qw sw Cin] -> [N Qh, sh, Qw sw Cin] = [N, Qh sh, Qw sw, Cin]: rows interleaved
  const stacked = rowsOfPhases.length > 1 ? own(owned, k.concat(rowsOfPhases, 0)) : rowsOfPhases[0];
  const interleaved = sh > 1 ? own(owned, k.transpose(stacked, [1, 0, 2])) : stacked;
  const full = own(owned, k.reshape(interleaved, [n, qh * sh, qw * sw, cin]));
  if (qh * sh === g.inHeight && qw * sw === g.inWidth) return k.reshape(full, [n, g.inHeight, g.inWidth, cin]);
  return k.slice(full, [0, 0, 0, 0], [n, g.inHeight, g.inWidth, cin]);
}

/** One axis of one phase: the taps it uses (flipped order) and how dy is padded / cropped for it. */
interface AxisPhase {
  /** filter indices along this axis, in the flipped order the correlation uses; empty: all-zero phase */
  taps: number[];
  /** dy crop [begin, end) and conv padding [before, after] along this axis. */
  crop: [number, number];
  pad: [number, number];
}

function axisPhase(c: number, s: number, k: number, p: number, dyLen: number, outLen: number): AxisPhase {
  const r = (((c + p) % s) + s) % s;
  const e = Math.floor((c + p) / s);
  const m = r < k ? Math.ceil((k - r) / s) : 0;
  const taps = Array.from({ length: m }, (_, j) => r + s * (m - 1 - j));
  const before = m - 1 - e;
  const after = outLen + m - 1 - dyLen - before;
  return {
    taps,
    crop: [Math.max(0, -before), dyLen - Math.max(0, -after)],
    pad: [Math.max(0, before), Math.max(0, after)],
  };
}

function phaseOutput(
  k: KernelCalls,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  rows: AxisPhase,
  cols: AxisPhase,
  qh: number,
  qw: number,
  owned: tf.TensorInfo[],
): tf.TensorInfo {
  const { batch: n, inChannels: cin, outChannels: cout } = g;
  if (rows.taps.length === 0 || cols.taps.length === 0 || rows.crop[1] <= rows.crop[0] || cols.crop[1] <= cols.crop[0]) {
    return own(owned, k.zeros([n, qh, qw, cin])); // no tap reaches this phase
  }
  let src = dy;
  if (rows.crop[0] > 0 || rows.crop[1] < g.outHeight || cols.crop[0] > 0 || cols.crop[1] < g.outWidth) {
    src = own(owned, k.slice(dy, [0, rows.crop[0], cols.crop[0], 0], [n, rows.crop[1] - rows.crop[0], cols.crop[1] - cols.crop[0], cout]));
  }
  const sub = own(owned, k.gather(own(owned, k.gather(filter, rows.taps, 0)), cols.taps, 1)); // [Mh, Mw, Cin, Cout], flipped
  const swapped = own(owned, k.transpose(sub, [0, 1, 3, 2])); // [Mh, Mw, Cout, Cin]
  return own(owned, k.conv2d(src, swapped, [1, 1], [rows.pad, cols.pad])); // [N, Qh, Qw, Cin]
}

function own(owned: tf.TensorInfo[], t: tf.TensorInfo): tf.TensorInfo {
  owned.push(t);
  return t;
}
