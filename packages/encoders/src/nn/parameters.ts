import * as tf from '@tensorflow/tfjs-core';
import type { WeightLayout } from './layouts';

/** How a parameter is initialised (torch defaults, see each layer). */
export type Initializer =
  | { kind: 'uniform'; bound: number } // U(-bound, bound)
  | { kind: 'constant'; value: number }
  | { kind: 'values'; values: Float32Array }; // fixed values in torch layout (front-end matrices)

/** A parameter or buffer of a module, described by its torch name, torch shape and tfjs layout. */
export interface ParamSpec {
  /** torch state-dict name, e.g. `conv2.block1.conv1.spatial_conv.weight`. */
  readonly name: string;
  /** shape in the torch state dict. */
  readonly torchShape: readonly number[];
  readonly layout: WeightLayout;
  /** true for torch `parameters()`, false for buffers (BN running statistics). */
  readonly trainable: boolean;
  readonly init: Initializer;
}

/** A parameter: its spec and, when allocated, its variable (tfjs layout). */
export class Param {
  constructor(
    readonly spec: ParamSpec,
    private readonly variable_: tf.Variable | null,
  ) {}

  /** The variable (tfjs layout). Throws for a description-only (unallocated) model. */
  get variable(): tf.Variable {
    if (this.variable_ === null) {
      throw new Error(`parameter '${this.spec.name}' is not allocated: this model was built as a description only`);
    }
    return this.variable_;
  }

  get allocated(): boolean {
    return this.variable_ !== null;
  }
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Holds a model's parameters in registration (torch) order. With `allocate: false` it only records the
 * specs, so parameter tables of full-size models can be computed without allocating memory.
 */
export class ParameterStore {
  readonly params: Param[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(
    readonly allocate: boolean,
    private readonly seed?: number,
  ) {}

  add(spec: ParamSpec): Param {
    if (this.names.has(spec.name)) throw new Error(`duplicate parameter name '${spec.name}'`);
    this.names.add(spec.name);
    // tidy disposes the initial tensor; the variable keeps its data (variables are not tracked by tidy)
    const variable = this.allocate ? tf.tidy(() => tf.variable(this.initialValue(spec), spec.trainable)) : null;
    const param = new Param(spec, variable);
    this.params.push(param);
    return param;
  }

  private initialValue(spec: ParamSpec): tf.Tensor {
    const shape = spec.layout.tfShape(spec.torchShape);
    const seed = this.seed === undefined ? undefined : this.seed + this.counter++;
    if (spec.init.kind === 'constant') return tf.fill(shape, spec.init.value);
    if (spec.init.kind === 'values') {
      const values = spec.init.values;
      return tf.tidy(() => spec.layout.toTf(tf.tensor(values, [...spec.torchShape])));
    }
    return tf.randomUniform(shape, -spec.init.bound, spec.init.bound, 'float32', seed);
  }
}

/** torch's `sum(p.numel() for p in model.parameters())`. */
export function countTrainable(specs: readonly ParamSpec[]): number {
  return specs.filter((s) => s.trainable).reduce((n, s) => n + shapeSize(s.torchShape), 0);
}
