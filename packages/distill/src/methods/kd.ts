import * as tf from '@tensorflow/tfjs-core';
import { matchStateDict, snapshotVariables } from '@ccl/base';
import { createLoss, crossEntropy, listLosses, lossOptionKeys, type Loss, type LossInputs } from '@ccl/losses';
import { selectRows } from '../ops/select-rows';
import type { Method, MethodContext, StepTensors } from './method';
import { registerMethod, whyNotMethod } from './registry';

/** Rows of a teacher that are present (mask 1). */
function presentIndices(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((m, i) => m && out.push(i));
  return out;
}

/**
 * A KD baseline from @ccl/losses's registry applied to the student's pooled feature and each teacher's
 * feature (METHOD §7: "the usual definitions adapted to 512-d embeddings"):
 *
 *     L = CE(o_v, y) + kdWeight * lw * sum_t KD_t(x_v, x_t)
 *
 * on the rows that have that teacher. The loss's trainable parts (regressors, projection heads) get their
 * own optimiser; memory banks are updated after each step.
 */
export function kdMethod(lossName: string) {
  return (ctx: MethodContext): Method => {
    const { config } = ctx;
    const lw = config.lossWeight ?? (config.teachers.length > 1 ? 0.5 : 1);
    const losses: Record<string, Loss> = {};
    config.teachers.forEach((t, i) => {
      const context: Record<string, unknown> = { studentDim: ctx.studentDim, teacherDim: t.dim, bankSize: ctx.datasetSize, seed: config.seed * 1000 + 10 * i };
      const known = lossOptionKeys(lossName); // a loss that declares its keys gets only the context it accepts; kdOptions are checked by createLoss
      const accepted = known === undefined ? context : Object.fromEntries(Object.entries(context).filter(([k]) => known.includes(k)));
      losses[t.name] = createLoss(lossName, { ...accepted, ...config.kdOptions });
    });
    const inputsFor = (s: StepTensors, name: string): LossInputs | null => {
      const te = s.teachers[name];
      if (!te) throw new Error(`${lossName}: the batch has no features for teacher '${name}'`);
      const rows = presentIndices(te.mask);
      if (rows.length === 0) return null;
      if (rows.length === s.labels.length) return { student: s.features, teacher: te.features, labels: s.labels, indices: s.indices, studentLogits: s.logits };
      return {
        student: selectRows(s.features, rows),
        teacher: selectRows(te.features, rows),
        labels: rows.map((r) => s.labels[r]),
        indices: rows.map((r) => s.indices[r]),
        studentLogits: selectRows(s.logits, rows),
      };
    };
    /** The losses' variables and buffers by state-dict name: `<teacher>.variables.<i>`, `<teacher>.buffers.<i>`. */
    const stateVariables = (): Record<string, tf.Variable> => {
      const out: Record<string, tf.Variable> = {};
      for (const [n, l] of Object.entries(losses)) {
        l.variables.forEach((v, i) => (out[`${n}.variables.${i}`] = v));
        (l.buffers ?? []).forEach((v, i) => (out[`${n}.buffers.${i}`] = v));
      }
      return out;
    };
    return {
      name: lossName,
      modules: Object.fromEntries(
        Object.entries(losses)
          .filter(([, l]) => l.variables.length)
          .map(([n, l]) => [`${lossName}.${n}`, l.variables]),
      ),
      loss: (s) => {
        const clsV = crossEntropy(s.logits, s.labels);
        const terms: Record<string, tf.Scalar> = { cls_v: clsV };
        const parts: tf.Scalar[] = [];
        for (const [name, loss] of Object.entries(losses)) {
          const inputs = inputsFor(s, name);
          if (!inputs) continue;
          const v = loss.compute(inputs);
          terms[`${name}.${lossName}`] = v;
          parts.push(v);
        }
        const total = parts.length ? (tf.add(clsV, tf.mul(config.kdWeight * lw, tf.addN(parts))) as tf.Scalar) : (tf.clone(clsV) as tf.Scalar);
        return { total, terms };
      },
      afterStep: (s) => {
        for (const [name, loss] of Object.entries(losses)) {
          if (!loss.afterStep) continue;
          tf.tidy(() => {
            const inputs = inputsFor(s, name);
            if (inputs) loss.afterStep!(inputs);
          });
        }
      },
      stateDict: () => snapshotVariables(stateVariables()),
      loadStateDict: (dict) => {
        // every state entry must be present with its shape (other keys are ignored); nothing is assigned otherwise
        const variables = stateVariables();
        const match = matchStateDict(new Map(Object.entries(variables).map(([k, v]) => [k, v.shape])), dict, () => true);
        const wrong = match.mismatched[0];
        if (wrong) throw new Error(`checkpoint ${lossName} state '${wrong.name}' has shape [${wrong.got}], expected [${wrong.expected}]`);
        if (match.missing.length) throw new Error(`checkpoint lacks ${lossName} state '${match.missing[0]}'`);
        for (const k of match.matched) variables[k]!.assign(dict[k]!);
      },
      dispose: () => Object.values(losses).forEach((l) => l.dispose()),
    };
  };
}

// Every loss of @ccl/losses's registry that is no term of another method is a KD baseline, registered under
// its own name. A loss registered later becomes a method with `registerMethod(name, kdMethod(name))`.
for (const lossName of listLosses()) if (whyNotMethod(lossName) === undefined) registerMethod(lossName, kdMethod(lossName));
