import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, Trainer, type StepInfo, type StepOutcome } from '../src';
import { TinyFrameTeacher, TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

const CLASSES = 3;
const CLIP: [number, number, number, number] = [2, 3, 3, 3];

/** CCL-AI (features teacher + an online frame teacher) and CRD (a memory bank updated after each step). */
const CASES: Array<[string, Record<string, unknown>]> = [
  [
    'ccl',
    {
      teachers: [
        { name: 'audio', modality: 'audio', dim: 6 },
        { name: 'image', modality: 'image', dim: 6 },
      ],
    },
  ],
  ['crd', { teachers: [{ name: 'audio', modality: 'audio', dim: 6 }], kdOptions: { numNegatives: 16, embedDim: 8 } }],
];

function trainer(method: string, extra: Record<string, unknown>, onStep?: (s: StepInfo) => void): { trainer: Trainer; student: TinyStudent } {
  const student = new TinyStudent(27, 6, CLASSES);
  const config = {
    method,
    seed: 5,
    student: { encoder: 'tiny' },
    optimizer: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'constant' },
    epochs: 1,
    batchSize: 4,
    validation: { policy: 'none' },
    ...extra,
  };
  const t = new Trainer({
    config,
    student,
    numClasses: CLASSES,
    studentDim: 6,
    train: tinySource(30, CLASSES, CLIP),
    outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-trainer-step-')),
    onlineTeachers: { image: new TinyFrameTeacher() },
    progress: null,
    onStep,
  });
  return { trainer: t, student };
}

describe('Trainer.step', () => {
  it.each(CASES)('%s: stepping by hand over the batches of fit gives its weights bit for bit, with flat memory', async (method, extra) => {
    const fitted: StepInfo[] = [];
    const a = trainer(method, extra, (s) => fitted.push(s));
    await a.trainer.fit();

    const b = trainer(method, extra);
    const steps = b.trainer.stepsPerEpoch();
    expect(steps).toBe(8); // 30 clips in batches of 4, the last one of 2
    b.trainer.startEpoch(0);
    const outcomes: StepOutcome[] = [];
    const counts: number[] = [];
    for (let s = 0; s < steps; s++) {
      const batch = await b.trainer.trainBatch(0, s);
      outcomes.push(await b.trainer.step(batch));
      disposeBatch(batch);
      counts.push(tf.memory().numTensors);
    }

    expect(outcomes.map((o) => ({ loss: o.loss, ...o.terms }))).toEqual(fitted.map((s) => s.terms));
    expect(outcomes.every((o) => o.applied)).toBe(true);
    expect(new Set(counts.slice(1)).size).toBe(1); // the optimisers' momentum buffers appear in step 1
    const want = a.student.stateDict();
    const got = b.student.stateDict();
    for (const [k, v] of Object.entries(want)) {
      expect({ [k]: Buffer.from(got[k].dataSync<'float32'>().buffer).equals(Buffer.from(v.dataSync<'float32'>().buffer)) }).toEqual({ [k]: true });
    }
    // the method's own state too (composition heads, memory banks)
    const wantMethod = a.trainer.method.stateDict();
    const gotMethod = b.trainer.method.stateDict();
    expect(Object.keys(gotMethod).sort()).toEqual(Object.keys(wantMethod).sort());
    for (const [k, v] of Object.entries(wantMethod)) expect({ [k]: Array.from(gotMethod[k].dataSync()) }).toEqual({ [k]: Array.from(v.dataSync()) });
    tf.dispose([...Object.values(want), ...Object.values(got), ...Object.values(wantMethod), ...Object.values(gotMethod)]);
    a.trainer.dispose();
    b.trainer.dispose();
  });

  it('one step moves the weights (so equal weights above mean equal steps)', async () => {
    const { trainer: t, student } = trainer('baseline', { teachers: [] });
    t.startEpoch(0);
    const before = student.stateDict();
    const batch = await t.trainBatch(0, 0);
    const outcome = await t.step(batch);
    disposeBatch(batch);
    expect(Number.isFinite(outcome.loss)).toBe(true);
    const after = student.stateDict();
    expect(Array.from(after['fc1.weight'].dataSync())).not.toEqual(Array.from(before['fc1.weight'].dataSync()));
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    t.dispose();
  });
});

afterAll(() => tf.disposeVariables());
