import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createEncoder } from '@ccl/encoders';
import { crossEntropy } from '@ccl/losses';
import { Sgd, variableGradsLean } from '@ccl/distill';
import { CPU_KERNELS, registerKernels, WASM_KERNELS } from '@ccl/backends';
import { onBackend, randomValues, relativeError } from '../../../tools/fixtures/kernel-checks';

// @ccl/backends' kernels under ccl's optimiser and encoders: the fused SGD update against the optimiser's
// ops, and whole r2plus1d-18 training steps on wasm against the pure-JS cpu backend (correct, slow
// reference). The kernels' own conformance tests are in packages/backends/test/kernels.test.ts.

const TOL = 1e-4;

beforeAll(async () => {
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  registerKernels(WASM_KERNELS);
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

// On wasm, steps with momentum buffers run the WebAssembly SIMD loops (@ccl/backends' sgd-update-simd.ts):
// each of its 4 variants (Nesterov or not, weight decay or not), on sizes with and without a tail past a
// multiple of 4.
const SGD_OPTIONS = [
  { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.1, momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true },
  { lr: 0.1, momentum: 0.8, dampening: 0, weightDecay: 0, nesterov: true },
];

describe.each(['wasm', 'cpu'])('the fused SGD update on %s', (backendName) => {
  it.each(SGD_OPTIONS.map((o) => [JSON.stringify(o), o] as const))(
    'equals the op path bit for bit, in one kernel call per group, leaking nothing: %s',
    async (_name, options) => {
      await onBackend(backendName, async () => {
        const table = backendName === 'wasm' ? WASM_KERNELS : CPU_KERNELS;
        registerKernels(table);
        expect(registerKernels(table)).toEqual([]); // idempotent
        const shapes = [[3, 3, 4, 5], [5], [7, 2], [1031]];
        const make = (tag: string) =>
          shapes.map((s, i) =>
            tf.variable(
              tf.tensor(
                randomValues(
                  s.reduce((a, b) => a * b, 1),
                  100 + i,
                ),
                s,
              ),
              true,
              `${tag}-${backendName}-${i}`,
            ),
          );
        const fusedVars = make('fused');
        const plainVars = make('plain');
        const fused = new Sgd(fusedVars, options);
        const plain = new Sgd(plainVars, { ...options, fused: false });
        const before = tf.memory().numTensors;
        for (let step = 0; step < 3; step++) {
          // variable 1 has no gradient on the first step: the next step mixes buffered and unbuffered variables
          const grads = shapes.map((s, i) =>
            step === 0 && i === 1
              ? null
              : tf.tensor(
                  randomValues(
                    s.reduce((a, b) => a * b, 1),
                    10 * step + i,
                  ),
                  s,
                ),
          );
          const named = (vars: tf.Variable[]) => Object.fromEntries(vars.flatMap((v, i) => (grads[i] ? [[v.name, grads[i]!]] : [])));
          const profile = await tf.profile(() => fused.step(named(fusedVars)));
          expect(profile.kernels.filter((k) => k.name === 'CclSgdUpdate')).toHaveLength(step === 1 ? 2 : 1);
          expect(profile.kernels.filter((k) => k.name !== 'CclSgdUpdate')).toHaveLength(0);
          plain.step(named(plainVars));
          tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
          fusedVars.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(plainVars[i]!.dataSync())));
        }
        const fusedState = fused.stateDict();
        const plainState = plain.stateDict();
        for (const k of Object.keys(plainState)) expect(Array.from(fusedState[k]!.dataSync())).toEqual(Array.from(plainState[k]!.dataSync()));
        tf.dispose([...Object.values(fusedState), ...Object.values(plainState)]);
        expect(tf.memory().numTensors).toBe(before + shapes.length * 2); // the two optimisers' momentum buffers
        fused.dispose();
        plain.dispose();
        tf.dispose([...fusedVars, ...plainVars]);
      });
    },
  );
});

describe('100 training steps on wasm: the WASM kernels, lean gradients and the SIMD SGD update', () => {
  it('keep tf.memory().numTensors and the backend buffer count flat, and the loss falls', async () => {
    await onBackend('wasm', async () => {
      registerKernels(WASM_KERNELS);
      const backend = tf.engine().backend;
      const encoder = createEncoder('r2plus1d-18', { numClasses: 3, widthMultiplier: 1 / 16, seed: 5 });
      encoder.train();
      const vars = encoder.trainableVariables;
      const sgd = new Sgd(vars, { lr: 0.02, momentum: 0.9, weightDecay: 5e-4 });
      const x = tf.tensor(randomValues(2 * 4 * 16 * 16 * 3, 9), [2, 4, 16, 16, 3]); // [B, T, H, W, C]
      const tensors: number[] = [];
      const buffers: number[] = [];
      const losses: number[] = [];
      for (let step = 0; step < 100; step++) {
        const { value, grads } = variableGradsLean(() => crossEntropy(encoder.apply(x).logits as tf.Tensor2D, [0, 2]), vars);
        if (step === 50) {
          const update = await tf.profile(() => sgd.step(grads));
          expect(update.kernels.map((k) => k.name)).toEqual(['CclSgdUpdate']); // one kernel for the whole update
        } else sgd.step(grads);
        losses.push(value.dataSync()[0]!);
        tf.dispose([value, ...Object.values(grads)]);
        tensors.push(tf.memory().numTensors);
        buffers.push(backend.numDataIds());
      }
      // after the first step, which creates the momentum buffers
      expect(new Set(tensors.slice(1)).size).toBe(1);
      expect(new Set(buffers.slice(1)).size).toBe(1);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[99]!).toBeLessThan(losses[0]!);
      sgd.dispose();
      encoder.dispose();
      x.dispose();
    });
  });
});

// Input [2, 4, 32, 32, 3], not smaller: at [2, 4, 16, 16, 3] the last stage's train-mode BatchNorm sees 2
// values per channel and the step is so ill-conditioned that a 1e-6 relative change of the input moves
// the cpu backend's own gradients by 1e-2; at 32 x 32 (8 values per channel) that sensitivity is ~2e-5.
describe('a whole r2plus1d-18 training step', () => {
  /** Loss and every gradient of one train-mode CE step, with the given weights. */
  function step(weights: Float32Array[] | null): { loss: number; grads: Float32Array[]; weights: Float32Array[] } {
    const encoder = createEncoder('r2plus1d-18', { numClasses: 3, widthMultiplier: 1 / 16, seed: 3 });
    try {
      encoder.train();
      const vars = encoder.trainableVariables;
      if (weights !== null) vars.forEach((v, i) => v.assign(tf.tensor(weights[i], v.shape)));
      const values = vars.map((v) => v.dataSync() as Float32Array);
      return tf.tidy(() => {
        const x = tf.tensor(randomValues(2 * 4 * 32 * 32 * 3, 42), [2, 4, 32, 32, 3]); // [B, T, H, W, C]
        const { value, grads } = tf.variableGrads(() => crossEntropy(encoder.apply(x).logits as tf.Tensor2D, [0, 2]), vars);
        return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array), weights: values };
      });
    } finally {
      encoder.dispose();
    }
  }

  it('gives the cpu backend loss and gradients on wasm', async () => {
    const ref = await onBackend('cpu', () => step(null));
    const got = await onBackend('wasm', () => step(ref.weights));
    expect(Math.abs(got.loss - ref.loss)).toBeLessThan(TOL * Math.max(1, Math.abs(ref.loss)));
    expect(got.grads).toHaveLength(ref.grads.length);
    const worst = Math.max(...got.grads.map((g, i) => relativeError(g, ref.grads[i])));
    expect(worst).toBeLessThan(TOL);
  });
});
