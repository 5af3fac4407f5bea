/**
 * The fused SGD update as a tfjs kernel contract: one kernel call updates a whole group of variables
 * (one optimiser's), with no temporaries per variable. Backend implementations are registered by the
 * application (the `ccl` package registers it for the wasm and cpu backends); `Sgd` uses the kernel when
 * the active backend has one and its per-variable ops otherwise. Both give bit-identical results (tested).
 *
 * Inputs, for i = 0 .. count - 1: `p{i}` parameter, `g{i}` gradient, and `b{i}` momentum buffer when
 * `hasBuffers` (all float32, p{i}, g{i}, b{i} the same shape).
 * Outputs: [p'0 .. p'{count-1}] and, when momentum != 0, [b'0 .. b'{count-1}] after them.
 */
export const SGD_UPDATE_KERNEL = 'CclSgdUpdate';

export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** variables in the group */
  count: number;
  /** momentum buffers are given (false on the first step: the buffer starts as the gradient) */
  hasBuffers: boolean;
}

const f32 = Math.fround;

/**
 * torch.optim.SGD for one variable on flat float32 arrays, rounding to float32 after every operation in
 * the order the op path (`Sgd.step`) computes them, so the two agree bit for bit:
 *
 *     d = f32(wd p);  g = f32(grad + d)                     (when wd != 0)
 *     buf = g  (first step)  or  f32(f32(m buf) + f32((1 - dampening) g))
 *     g = f32(g + f32(m buf)) (nesterov)  or  buf
 *     p' = f32(p - f32(lr g))
 *
 * Scalars are float32 too (tfjs makes them float32 tensors). `bufOut` is null when momentum is 0.
 */
export function sgdUpdateValues(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array | null,
  pOut: Float32Array,
  bufOut: Float32Array | null,
  attrs: SgdUpdateAttrs,
): void {
  const lr = f32(attrs.lr);
  const m = f32(attrs.momentum);
  const keep = f32(1 - attrs.dampening);
  const wd = f32(attrs.weightDecay);
  const n = p.length;
  if (grad.length !== n || pOut.length !== n || (buf !== null && buf.length !== n) || (bufOut !== null && bufOut.length !== n)) {
    throw new Error(`sgdUpdateValues: arrays of different lengths (p ${n}, grad ${grad.length})`);
  }
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    let g = wd !== 0 ? f32(grad[i]! + f32(wd * pi)) : grad[i]!;
    if (bufOut !== null) {
      const b = buf === null ? g : f32(f32(m * buf[i]!) + f32(keep * g));
      bufOut[i] = b;
      g = attrs.nesterov ? f32(g + f32(m * b)) : b;
    }
    pOut[i] = f32(pi - f32(lr * g));
  }
}
