import * as tf from '@tensorflow/tfjs-core';
import { SGD_UPDATE_KERNEL, type SgdUpdateAttrs } from '@ccl/base';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /**
   * Update all variables with one fused kernel call (SGD_UPDATE_KERNEL) when the active backend has it
   * registered (default true); false always uses 4-6 tfjs ops per variable. Same numbers either way.
   */
  fused?: boolean;
}

/**
 * Stochastic gradient descent exactly as `torch.optim.SGD` (PyTorch 1.x/2.x semantics):
 *
 *     g   = grad + weight_decay * p                    (decay added to the gradient, before momentum)
 *     buf = g                                          on the first step
 *     buf = momentum * buf + (1 - dampening) * g       afterwards
 *     g   = g + momentum * buf  (nesterov)   or   g = buf
 *     p   = p - lr * g
 *
 * One instance per module (the reference uses one optimiser per module). Momentum buffers are kept per
 * variable and exposed for checkpoints.
 */
export class Sgd {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  lr: number;
  readonly fused: boolean;
  private readonly buffers = new Map<tf.Variable, tf.Tensor>();

  constructor(
    readonly variables: readonly tf.Variable[],
    options: SgdOptions,
  ) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.fused = options.fused ?? true;
    if (!(this.lr >= 0)) throw new Error(`SGD: lr must be >= 0, got ${this.lr}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  /** Applies one update from `grads` (variable name -> gradient); variables without a gradient are left alone. */
  step(grads: Record<string, tf.Tensor>): void {
    if (this.fused && tf.getKernel(SGD_UPDATE_KERNEL, tf.getBackend()) !== undefined) {
      this.fusedStep(grads);
      return;
    }
    for (const v of this.variables) {
      const grad = grads[v.name];
      if (!grad) continue;
      tf.tidy(() => {
        let g: tf.Tensor = this.weightDecay !== 0 ? tf.add(grad, tf.mul(this.weightDecay, v)) : grad;
        if (this.momentum !== 0) {
          const prev = this.buffers.get(v);
          const buf = prev ? tf.add(tf.mul(this.momentum, prev), tf.mul(1 - this.dampening, g)) : tf.clone(g);
          prev?.dispose();
          this.buffers.set(v, tf.keep(buf));
          g = this.nesterov ? tf.add(g, tf.mul(this.momentum, buf)) : buf;
        }
        v.assign(tf.sub(v, tf.mul(this.lr, g)));
      });
    }
  }

  /**
   * One SGD_UPDATE_KERNEL call for every variable with a gradient (split in two groups on the step where
   * some variables have a momentum buffer and others do not yet).
   */
  private fusedStep(grads: Record<string, tf.Tensor>): void {
    const active = this.variables.filter((v) => grads[v.name] !== undefined && grads[v.name] !== null);
    const useMomentum = this.momentum !== 0;
    const withBuffers = useMomentum ? active.filter((v) => this.buffers.has(v)) : [];
    const withoutBuffers = useMomentum ? active.filter((v) => !this.buffers.has(v)) : active;
    for (const group of [withBuffers, withoutBuffers]) {
      if (group.length === 0) continue;
      const hasBuffers = group === withBuffers;
      const inputs: tf.NamedTensorMap = {};
      group.forEach((v, i) => {
        const g = grads[v.name]!;
        if (!tf.util.arraysEqual(g.shape, v.shape)) throw new Error(`SGD: gradient of ${v.name} has shape [${g.shape}], the variable [${v.shape}]`);
        inputs[`p${i}`] = v;
        inputs[`g${i}`] = g;
        if (hasBuffers) inputs[`b${i}`] = this.buffers.get(v)!;
      });
      const attrs: SgdUpdateAttrs = {
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        weightDecay: this.weightDecay,
        nesterov: this.nesterov,
        count: group.length,
        hasBuffers,
      };
      const out = tf.engine().runKernel(SGD_UPDATE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      group.forEach((v, i) => {
        v.assign(out[i]!);
        out[i]!.dispose();
        if (useMomentum) {
          this.buffers.get(v)?.dispose();
          this.buffers.set(v, tf.keep(out[group.length + i]!));
        }
      });
    }
  }

  /** Momentum buffers by variable index (for checkpoints); copies owned by the caller. */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    this.variables.forEach((v, i) => {
      const b = this.buffers.get(v);
      if (b) out[`${i}.momentum_buffer`] = b.clone();
    });
    return out;
  }

  /**
   * Restores momentum buffers from `stateDict()`'s output. Everything is checked before anything changes:
   * an unknown entry, a buffer of the wrong shape or dtype, or one holding a NaN or an infinity is refused.
   */
  loadStateDict(state: Record<string, tf.Tensor>): void {
    const buffers = new Map<tf.Variable, tf.Tensor>();
    for (const [key, b] of Object.entries(state)) {
      const index = /^(\d+)\.momentum_buffer$/.exec(key);
      const v = index ? this.variables[Number(index[1])] : undefined;
      if (!v) throw new Error(`SGD state: unexpected entry '${key}' (this optimiser has ${this.variables.length} variables)`);
      if (!tf.util.arraysEqual(b.shape, v.shape)) throw new Error(`SGD state: buffer ${index![1]} has shape [${b.shape}], variable has [${v.shape}]`);
      if (b.dtype !== 'float32') throw new Error(`SGD state: buffer ${index![1]} has dtype ${b.dtype}, expected float32`);
      const values = b.dataSync();
      const bad = values.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new Error(`SGD state: buffer ${index![1]} holds ${values[bad]} at flat index ${bad}; momentum buffers must be finite`);
      buffers.set(v, b);
    }
    this.reset();
    for (const [v, b] of buffers) this.buffers.set(v, tf.keep(b.clone()));
  }

  reset(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  dispose(): void {
    this.reset();
  }
}

/**
 * Scales gradients in place so that their global L2 norm is at most `maxNorm` (torch's
 * `clip_grad_norm_`, with its 1e-6 guard). Returns the norm before clipping.
 */
export function clipGradNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  const names = Object.keys(grads);
  if (names.length === 0) return 0;
  const total = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))).dataSync()[0]);
  const scale = maxNorm / (total + 1e-6);
  if (scale < 1) {
    for (const n of names) {
      const scaled = tf.mul(grads[n], scale);
      grads[n].dispose();
      grads[n] = scaled;
    }
  }
  return total;
}
