/**
 * The fused SGD update as a tfjs kernel contract: one kernel call updates a whole group of variables
 * (one optimiser's), with no temporaries per variable. The contract lives here, below both sides:
 * `@ccl/backends` implements it for the wasm and cpu backends (registered by the backend picker), and
 * `@ccl/distill`'s `Sgd` uses the kernel when the active backend has one and its per-variable ops
 * otherwise. Both give bit-identical results (tested).
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
  // One branch-free loop per case: V8 runs a loop with the weight-decay test inside 2-3x slower.
  const decayed = wd !== 0;
  if (bufOut === null) {
    if (decayed) plainDecayLoop(p, grad, pOut, lr, wd);
    else plainLoop(p, grad, pOut, lr);
  } else if (buf === null) {
    // first momentum step: buf = g, then p' from it
    if (decayed) decayedGradientInto(p, grad, bufOut, wd);
    else bufOut.set(grad);
    if (attrs.nesterov) nesterovFirstLoop(p, bufOut, pOut, lr, m);
    else plainLoop(p, bufOut, pOut, lr);
  } else if (attrs.nesterov) {
    if (decayed) nesterovDecayLoop(p, grad, buf, pOut, bufOut, lr, m, keep, wd);
    else nesterovLoop(p, grad, buf, pOut, bufOut, lr, m, keep);
  } else if (decayed) momentumDecayLoop(p, grad, buf, pOut, bufOut, lr, m, keep, wd);
  else momentumLoop(p, grad, buf, pOut, bufOut, lr, m, keep);
}

// g = grad (+ wd p); each loop is one case of sgdUpdateValues' formula.

/** p' = p - lr g */
function plainLoop(p: Float32Array, g: Float32Array, pOut: Float32Array, lr: number): void {
  for (let i = 0; i < p.length; i++) pOut[i] = f32(p[i]! - f32(lr * g[i]!));
}

function plainDecayLoop(p: Float32Array, grad: Float32Array, pOut: Float32Array, lr: number, wd: number): void {
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    pOut[i] = f32(pi - f32(lr * f32(grad[i]! + f32(wd * pi))));
  }
}

/** out = grad + wd p */
function decayedGradientInto(p: Float32Array, grad: Float32Array, out: Float32Array, wd: number): void {
  for (let i = 0; i < p.length; i++) out[i] = f32(grad[i]! + f32(wd * p[i]!));
}

/** Nesterov's first step (buf = g): p' = p - lr (g + m g). */
function nesterovFirstLoop(p: Float32Array, g: Float32Array, pOut: Float32Array, lr: number, m: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    pOut[i] = f32(p[i]! - f32(lr * f32(gi + f32(m * gi))));
  }
}

function momentumLoop(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  pOut: Float32Array,
  bufOut: Float32Array,
  lr: number,
  m: number,
  keep: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const b = f32(f32(m * buf[i]!) + f32(keep * grad[i]!));
    bufOut[i] = b;
    pOut[i] = f32(p[i]! - f32(lr * b));
  }
}

function momentumDecayLoop(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  pOut: Float32Array,
  bufOut: Float32Array,
  lr: number,
  m: number,
  keep: number,
  wd: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const g = f32(grad[i]! + f32(wd * pi));
    const b = f32(f32(m * buf[i]!) + f32(keep * g));
    bufOut[i] = b;
    pOut[i] = f32(pi - f32(lr * b));
  }
}

function nesterovLoop(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  pOut: Float32Array,
  bufOut: Float32Array,
  lr: number,
  m: number,
  keep: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const g = grad[i]!;
    const b = f32(f32(m * buf[i]!) + f32(keep * g));
    bufOut[i] = b;
    pOut[i] = f32(p[i]! - f32(lr * f32(g + f32(m * b))));
  }
}

function nesterovDecayLoop(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  pOut: Float32Array,
  bufOut: Float32Array,
  lr: number,
  m: number,
  keep: number,
  wd: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const g = f32(grad[i]! + f32(wd * pi));
    const b = f32(f32(m * buf[i]!) + f32(keep * g));
    bufOut[i] = b;
    pOut[i] = f32(pi - f32(lr * f32(g + f32(m * b))));
  }
}
