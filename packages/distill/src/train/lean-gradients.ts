import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.variableGrads` with PyTorch's memory behaviour in the backward pass.
 *
 * tfjs-core's engine (4.x, `Engine.gradients` + `backpropagateGradients`) keeps, until the whole backward
 * pass has finished, (a) every tensor the forward pass saved for a gradient and (b) every intermediate
 * gradient it computed. So a training step's memory peaks at the end of the backward pass at roughly twice
 * the saved activations (measured: r2plus1d-18 at [2, 8, 112, 112, 3] on WASM, docs/performance.md). This
 * walks the same tape in the same order with the same gradient functions, and releases a node's saved
 * tensors and its output gradients as soon as the node has been back-propagated, as autograd does.
 *
 * The numbers are the same as tf.variableGrads': the same kernels run in the same order on the same values
 * (a test checks bit-equality). It needs the engine's tape (`state.activeTape`, `startTape`, `endTape`,
 * `scopedRun`), which tfjs does not declare public; where those are missing, or inside another gradient
 * computation (higher-order gradients), it calls tf.variableGrads itself.
 *
 * @param f the loss: a scalar
 * @param varList the variables to differentiate; default every trainable variable. Non-trainable ones in
 *   the list get `null`, as with tf.variableGrads.
 */
export function variableGradsLean(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as Partial<EngineInternals>;
  // activeTape is undefined until the engine's first gradient computation, null after one, a list while recording
  if (!hasTapeInternals(engine) || engine.state.gradientDepth > 0 || (engine.state.activeTape ?? null) !== null) return tf.variableGrads(f, varList);
  const all = varList ?? Object.values((engine as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables);
  const xs = all.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error(`variableGradsLean: none of the ${all.length} variables is trainable`);

  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('variableGradsLean: f must return a tensor');
  if (y.rank !== 0) throw new Error(`variableGradsLean: f must return a scalar, got rank ${y.rank}`);
  const tape = (engine.state as { activeTape: TapeNode[] | null }).activeTape ?? []; // filled by f
  const grads = engine.tidy('backward', () => {
    const filtered = filterTape(tape, xs, y);
    const acc = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
    for (let i = filtered.length - 1; i >= 0; i--) backpropagateNode(filtered[i]!, acc);
    const out = xs.map((x) => acc.get(x.id) ?? null);
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    return out;
  });
  if (!grads.some((g) => g !== null)) {
    y.dispose();
    throw new Error('variableGradsLean: no variable is connected to the result of f (are the ops that use them inside f?)');
  }
  const named: tf.NamedTensorMap = {};
  xs.forEach((v, i) => {
    if (grads[i] !== null) named[v.name] = grads[i]!;
  });
  for (const v of all) if (!v.trainable) (named as Record<string, tf.Tensor | null>)[v.name] = null;
  return { value: y as tf.Scalar, grads: named };
}

/** One node of tfjs-core's tape (tape.ts TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The parts of tfjs-core's Engine this uses (present in tfjs-core 4.x, not declared public). */
interface EngineInternals {
  state: { activeTape?: TapeNode[] | null; gradientDepth: number };
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  startTape(): void;
  endTape(): void;
  tidy<T>(name: string, f: () => T): T;
}

function hasTapeInternals(engine: Partial<EngineInternals>): engine is EngineInternals {
  return (
    typeof engine.scopedRun === 'function' &&
    typeof engine.startTape === 'function' &&
    typeof engine.endTape === 'function' &&
    typeof engine.tidy === 'function' &&
    typeof engine.state === 'object' &&
    engine.state !== null &&
    typeof engine.state.gradientDepth === 'number'
  );
}

/**
 * Back-propagates one node (as tfjs's backpropagateGradients), then releases what only this node needed:
 * the gradients of its outputs (every consumer of an output comes later on the tape, so it has already
 * been processed) and the tensors it saved for its gradient.
 */
function backpropagateNode(node: TapeNode, acc: Map<number, tf.Tensor>): void {
  if (node.gradient === undefined) throw new Error(`variableGradsLean: no gradient function for ${node.kernelName}`);
  const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
  const inputGradients = node.gradient(dys);
  for (const name of Object.keys(node.inputs)) {
    const gradFn = inputGradients[name];
    if (gradFn === undefined) throw new Error(`variableGradsLean: ${node.kernelName} has no gradient for its input '${name}'`);
    const x = node.inputs[name]!;
    const dx = tf.tidy(gradFn);
    if (dx.dtype !== 'float32')
      throw new Error(`variableGradsLean: the gradient of ${node.kernelName}'s input '${name}' has dtype ${dx.dtype}, expected float32`);
    if (dx.shape.length !== x.shape.length || dx.shape.some((d, k) => d !== x.shape[k])) {
      throw new Error(
        `variableGradsLean: the gradient of ${node.kernelName}'s input '${name}' has shape [${dx.shape.join(', ')}], the input [${x.shape.join(', ')}]`,
      );
    }
    const current = acc.get(x.id);
    if (current === undefined) acc.set(x.id, dx);
    else {
      acc.set(x.id, tf.add(current, dx));
      current.dispose();
      dx.dispose();
    }
  }
  for (const o of node.outputs) {
    const g = acc.get(o.id);
    if (g !== undefined) {
      g.dispose();
      acc.delete(o.id);
    }
  }
  for (const t of node.saved ?? []) t.dispose();
}

/**
 * The nodes on a path from xs to y, inputs not reached from xs pruned (tfjs-core tape.ts
 * getFilteredNodesXToY, which is not exported).
 */
function filterTape(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodesToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    out.push({ ...node, inputs });
  }
  return out;
}
