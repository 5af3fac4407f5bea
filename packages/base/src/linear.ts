import * as tf from '@tensorflow/tfjs-core';

/** What a Linear layer needs to know to allocate one of its parameters. */
export interface LinearParameterRequest {
  /** torch state-dict name: `<layer name>.weight` or `<layer name>.bias`. */
  readonly name: string;
  /** torch shape: [out, in] for the weight, [out] for the bias. */
  readonly shape: readonly number[];
  /** torch's default init is U(-bound, bound), bound = 1/sqrt(in) (kaiming_uniform(a=sqrt(5)) for the weight). */
  readonly bound: number;
}

/**
 * Where a Linear's parameters come from:
 *  - `{ seed }`: the layer owns two variables initialised as torch does by default, U(-1/sqrt(in), 1/sqrt(in)),
 *    drawn by `tf.randomUniform` with `seed` for the weight and `seed + 1` for the bias (unseeded when
 *    `seed` is undefined);
 *  - `{ allocate }`: someone else owns them (e.g. a parameter store that also loads state dicts and may
 *    only describe a model): `allocate` is called for the weight, then the bias, and returns a reader of
 *    the variable, called whenever the layer uses it.
 */
export type LinearInit = { readonly seed?: number } | { readonly allocate: (request: LinearParameterRequest) => () => tf.Variable };

/** Parameter values for one call of `Linear.apply` (e.g. the layer's own, detached). */
export interface LinearParams {
  readonly weight: tf.Tensor; // [out, in]
  readonly bias: tf.Tensor; // [out]
}

/**
 * torch's `nn.Linear(in, out)`: y = x W^T + b with W kept in torch's [out, in] layout (so state dicts need no
 * conversion). tfjs variable names are global: owned variables get engine-unique names; `name` is the torch
 * prefix used in state dicts.
 */
export class Linear {
  private readonly readWeight: () => tf.Variable;
  private readonly readBias: () => tf.Variable;
  private readonly owned: tf.Variable[];

  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    init: LinearInit = {},
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    if ('allocate' in init) {
      this.readWeight = init.allocate({ name: `${name}.weight`, shape: [outFeatures, inFeatures], bound });
      this.readBias = init.allocate({ name: `${name}.bias`, shape: [outFeatures], bound });
      this.owned = [];
    } else {
      const seed = init.seed;
      // tidy drops the initial tensor's handle; the variable keeps its data
      const weight = tf.tidy(() => tf.variable(tf.randomUniform([outFeatures, inFeatures], -bound, bound, 'float32', seed), true));
      const bias = tf.tidy(() => tf.variable(tf.randomUniform([outFeatures], -bound, bound, 'float32', seed === undefined ? undefined : seed + 1), true));
      this.readWeight = () => weight;
      this.readBias = () => bias;
      this.owned = [weight, bias];
    }
  }

  /** [out, in] */
  get weight(): tf.Variable {
    return this.readWeight();
  }

  /** [out] */
  get bias(): tf.Variable {
    return this.readBias();
  }

  /**
   * @param x [B, in]
   * @param params the values to use (default: the layer's variables)
   * @returns [B, out]
   */
  apply(x: tf.Tensor2D, params: LinearParams = this): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`${this.name}: expected input [B, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => tf.add(tf.matMul(x, params.weight as tf.Tensor2D, false, true), params.bias));
  }

  get variables(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  /** Disposes the variables the layer owns (`{ seed }` init); allocated ones belong to their allocator. */
  dispose(): void {
    for (const v of this.owned) v.dispose();
  }
}
