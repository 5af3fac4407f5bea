import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@ccl/encoders';
import { DivergedError, inspectRunFolder, loadCheckpoint, registerMethod, saveCheckpoint, Trainer, type StepInfo } from '../src';
import { TinyFrameTeacher, TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

const CLASSES = 3;
const CLIP: [number, number, number, number] = [2, 3, 3, 3];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-trainer-'));

function config(method: string, extra: Record<string, unknown> = {}) {
  return {
    method,
    seed: 3,
    student: { encoder: 'tiny' },
    teachers: method === 'baseline' ? [] : [{ name: 'audio', modality: 'audio', dim: 6 }],
    optimizer: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'constant' },
    epochs: 1,
    batchSize: 6,
    validation: { policy: 'none' },
    ...extra,
  };
}

async function run(method: string, extra: Record<string, unknown> = {}, n = 18, opts: Partial<ConstructorParameters<typeof Trainer>[0]> = {}) {
  const student = new TinyStudent(27, 6, CLASSES);
  const steps: StepInfo[] = [];
  const outDir = opts.outDir ?? tmp();
  const trainer = new Trainer({
    config: config(method, extra),
    student,
    numClasses: CLASSES,
    studentDim: 6,
    train: tinySource(n, CLASSES, CLIP),
    outDir,
    progress: null,
    onStep: (s) => steps.push(s),
    ...opts,
  });
  const result = await trainer.fit();
  return { trainer, student, steps, result, outDir };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Trainer', () => {
  const methods = ['baseline', 'ccl', 'ccl-paper', 'fitnet', 'pkt', 'cor', 'rkd', 'crd', 'ifd', 'cmc', 'sp', 'vid', 'at'];
  it.each(methods)('%s: the training loss goes down and tf.memory().numTensors is flat across 50 steps', async (method) => {
    // small memory-bank settings for CRD/CMC (their defaults, 4096 negatives of 128-d, are for real data)
    const kdOptions = method === 'crd' || method === 'cmc' ? { numNegatives: 16, embedDim: 8 } : {};
    const { steps } = await run(method, { epochs: 10, kdOptions }, 30); // 5 steps per epoch x 10 epochs
    expect(steps).toHaveLength(50);
    const losses = steps.map((s) => s.terms.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    const counts = steps.slice(2).map((s) => s.numTensors);
    expect(new Set(counts).size).toBe(1);
  });

  it('CCL-AI with an online image teacher on one frame per batch: every term logged, missing audio counted', async () => {
    const { steps, outDir } = await run(
      'ccl',
      {
        teachers: [
          { name: 'audio', modality: 'audio', dim: 6 },
          { name: 'image', modality: 'image', dim: 6 },
        ],
        epochs: 2,
      },
      18,
      { onlineTeachers: { image: new TinyFrameTeacher() } },
    );
    expect(Object.keys(steps[0].terms)).toEqual(
      expect.arrayContaining(['cls_v', 'audio.vm', 'audio.vt', 'audio.jsd', 'image.vm', 'image.mt', 'total_student']),
    );
    const log = fs
      .readFileSync(path.join(outDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log).toHaveLength(6);
    // samples 3, 10, 17 have no audio: counted per step (2 epochs), never silently zero-filled into the teacher terms
    expect(log.reduce((a, r) => a + r['missing.audio'], 0)).toBe(6);
    expect(log.every((r) => r['missing.image'] === 0)).toBe(true);
    const runJson = JSON.parse(fs.readFileSync(path.join(outDir, 'run.json'), 'utf8'));
    expect(runJson).toMatchObject({ seed: 3, method: 'ccl', backend: 'cpu', validationPolicy: 'none' });
    expect(runJson.versions.tfjsCore).toMatch(/^4\./);
  });

  it('resumes after a mid-epoch stop to exactly the weights of an uninterrupted run', async () => {
    const extra = { epochs: 2, checkpointEverySteps: 1 };
    const full = await run('ccl', extra, 24);
    const reference = full.student.stateDict();

    const outDir = tmp();
    const controller = new AbortController();
    const first = await run('ccl', extra, 24, {
      outDir,
      signal: controller.signal,
      onStep: (s) => {
        if (s.globalStep === 5) controller.abort();
      }, // epoch 2, step 1 of 4
    });
    expect(first.result.stopped).toBe(true);
    const resumed = await run('ccl', extra, 24, { outDir, resume: true });
    expect(resumed.steps[0].globalStep).toBe(6);
    const got = resumed.student.stateDict();
    for (const [k, v] of Object.entries(reference)) expect(Array.from(got[k].dataSync())).toEqual(Array.from(v.dataSync()));
    // the step log holds each step once
    const log = fs
      .readFileSync(path.join(outDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).globalStep);
    expect(log).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  /** Every tensor of two checkpoints equal, then the files byte-identical. */
  function expectSameCheckpoint(got: string, want: string): void {
    const a = loadCheckpoint(got).tensors;
    const b = loadCheckpoint(want).tensors;
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(b)) expect({ [k]: Array.from(a[k].dataSync()) }).toEqual({ [k]: Array.from(b[k].dataSync()) });
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    expect(fs.readFileSync(got).equals(fs.readFileSync(want))).toBe(true);
  }

  /** A run stopped after `stopAt` steps and resumed, against an uninterrupted one: same latest checkpoint. */
  async function expectExactResume(
    method: string,
    extra: Record<string, unknown>,
    n: number,
    stopAt: number,
    opts: () => Partial<ConstructorParameters<typeof Trainer>[0]> = () => ({}),
  ) {
    const full = await run(method, extra, n, opts());
    const outDir = tmp();
    const controller = new AbortController();
    const first = await run(method, extra, n, {
      ...opts(),
      outDir,
      signal: controller.signal,
      onStep: (s) => {
        if (s.globalStep === stopAt) controller.abort();
      },
    });
    expect(first.result.stopped).toBe(true);
    const resumed = await run(method, extra, n, { ...opts(), outDir, resume: true });
    expect(resumed.steps[0].globalStep).toBe(stopAt + 1);
    expectSameCheckpoint(path.join(outDir, 'checkpoints', 'latest.ckpt'), path.join(full.outDir, 'checkpoints', 'latest.ckpt'));
    full.trainer.dispose();
    first.trainer.dispose();
    resumed.trainer.dispose();
  }

  it.each(['crd', 'cmc'])('%s: a resumed run ends with the checkpoint of an uninterrupted one (memory banks, their step, Z)', async (method) => {
    await expectExactResume(method, { epochs: 2, checkpointEverySteps: 1, kdOptions: { numNegatives: 4, embedDim: 8 } }, 24, 5);
  });

  it('a resumed BatchNorm student ends with the checkpoint of an uninterrupted one (num_batches_tracked restored)', async () => {
    const clip: [number, number, number, number] = [4, 16, 16, 3];
    const student = () => createEncoder('r2plus1d-18', { numClasses: CLASSES, widthMultiplier: 1 / 16, frames: 4, inputSize: 16, seed: 3 });
    await expectExactResume('baseline', { epochs: 2, checkpointEverySteps: 1, batchSize: 4 }, 8, 3, () => ({
      student: student(),
      studentDim: 32,
      train: tinySource(8, CLASSES, clip),
    }));
  });

  it("gradients 'lean' (default) and 'tfjs' train to bit-identical weights", async () => {
    const lean = await run('ccl', { epochs: 2 }, 24);
    const plain = await run('ccl', { epochs: 2 }, 24, { gradients: 'tfjs' });
    const a = lean.student.stateDict();
    const b = plain.student.stateDict();
    for (const [k, v] of Object.entries(b)) expect(Array.from(a[k].dataSync())).toEqual(Array.from(v.dataSync()));
  });

  it('resumes after a real SIGKILL mid-epoch (child process) to the weights of an uninterrupted run', async () => {
    const extra = { epochs: 2, checkpointEverySteps: 1 };
    const full = await run('ccl', extra, 24);
    const reference = full.student.stateDict();
    // The child runs the sources bundled by esbuild (siblings resolved to their sources).
    const root = path.join(__dirname, '..', '..');
    const bundle = path.join(tmp(), 'kill-child.cjs');
    const esbuild = require('esbuild') as { buildSync: (o: Record<string, unknown>) => unknown };
    esbuild.buildSync({
      entryPoints: [path.join(__dirname, 'helpers', 'kill-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      logLevel: 'silent',
      external: ['mediainfo.js', '@ffmpeg-installer/ffmpeg'], // tfjs bundled too: its gradients ship only as ES modules
      ignoreAnnotations: true, // keep side-effect imports (backend and gradient registration) whatever package.json says
      alias: {
        ...Object.fromEntries(['data', 'encoders', 'compose', 'losses'].map((p) => [`@ccl/${p}`, path.join(root, p, 'src', 'index.ts')])),
        '@ccl/encoders/node': path.join(root, 'encoders', 'src', 'node.ts'), // the checkpoint file format
        '@ccl/data/node': path.join(root, 'data', 'src', 'node.ts'), // the run folder's lock
      },
      nodePaths: [path.join(root, '..', 'node_modules')],
    });
    const outDir = tmp();
    const script = `require(${JSON.stringify(bundle)}).runChild(${JSON.stringify(outDir)}, ${JSON.stringify(config('ccl', extra))})`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: path.join(root, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(root, '..', 'node_modules') },
    });
    let last = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        last = Number(c.toString().trim().split('\n').pop()!.replace('step ', ''));
        if (last >= 6 && !child.killed) child.kill('SIGKILL'); // epoch 2 of 2, mid-epoch (4 steps per epoch)
      });
      child.on('exit', () => resolve());
    });
    if (child.signalCode !== 'SIGKILL')
      throw new Error(`child was not killed: ${JSON.stringify({ code: child.exitCode, last, stderr: stderr.slice(0, 1500) })}`);
    expect(last).toBeGreaterThanOrEqual(6);
    expect(last).toBeLessThan(8);
    const resumed = await run('ccl', extra, 24, { outDir, resume: true });
    expect(resumed.result.globalStep).toBe(8);
    const got = resumed.student.stateDict();
    for (const [k, v] of Object.entries(reference)) expect(Array.from(got[k].dataSync())).toEqual(Array.from(v.dataSync()));
  });

  it('refuses a checkpoint of another model, naming both', async () => {
    const { outDir } = await run('baseline', { epochs: 1 });
    const other = new TinyStudent(27, 7, CLASSES);
    const t = new Trainer({
      config: config('baseline'),
      student: other,
      numClasses: CLASSES,
      studentDim: 7,
      train: tinySource(18, CLASSES, CLIP),
      outDir,
      progress: null,
      resume: true,
    });
    await expect(t.fit()).rejects.toThrow(/checkpoint is for another model:\s+checkpoint: tiny \(4 tensors, signature [0-9a-f]+\)\s+this run: +tiny/);
  });

  it('refuses a checkpoint whose optimiser state holds NaN or garbage, naming the file and the entry', async () => {
    const { outDir, trainer } = await run('baseline', { epochs: 1 });
    trainer.dispose();
    const latest = path.join(outDir, 'checkpoints', 'latest.ckpt');
    const good = loadCheckpoint(latest);
    const resume = () =>
      new Trainer({
        config: config('baseline', { epochs: 2 }),
        student: new TinyStudent(27, 6, CLASSES),
        numClasses: CLASSES,
        studentDim: 6,
        train: tinySource(18, CLASSES, CLIP),
        outDir,
        progress: null,
        resume: true,
        allowConfigChange: true,
      });
    const withOptim = (name: string, t: tf.Tensor) => saveCheckpoint(latest, { ...good.tensors, [name]: t }, good.meta);
    const buffer = good.tensors['optim.student.0.momentum_buffer'];
    const values = Float32Array.from(buffer.dataSync());
    values[2] = NaN;
    const poisoned = tf.tensor(values, buffer.shape);
    withOptim('optim.student.0.momentum_buffer', poisoned);
    const escaped = latest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(resume().fit()).rejects.toThrow(
      new RegExp(`^${escaped}: cannot restore this run from the checkpoint: SGD state: buffer 0 holds NaN at flat index 2`),
    );
    withOptim('optim.student.7.momentum_buffer', tf.zeros([3]));
    await expect(resume().fit()).rejects.toThrow(
      new RegExp(`^${escaped}: .*SGD state: unexpected entry '7\\.momentum_buffer' \\(this optimiser has 4 variables\\)`),
    );
    tf.dispose([...Object.values(good.tensors), poisoned]);
  });

  it('a checkpoint whose method state does not fit this run is refused, naming the file', async () => {
    const kd = (embedDim: number) => ({ epochs: 1, kdOptions: { numNegatives: 4, embedDim } });
    const { outDir, trainer } = await run('crd', kd(8));
    trainer.dispose();
    const latest = path.join(outDir, 'checkpoints', 'latest.ckpt');
    const again = new Trainer({
      config: config('crd', kd(16)),
      student: new TinyStudent(27, 6, CLASSES),
      numClasses: CLASSES,
      studentDim: 6,
      train: tinySource(18, CLASSES, CLIP),
      outDir,
      progress: null,
      resume: true,
      allowConfigChange: true,
    });
    await expect(again.fit()).rejects.toThrow(`${latest}: cannot restore this run from the checkpoint: checkpoint crd state 'audio.variables.0' has shape`);
    again.dispose();
  });

  it('validates on a held-out source, keeps the best checkpoint and records the policy', async () => {
    const { outDir, result } = await run('baseline', { epochs: 2, validation: { policy: 'held-out', clips: 2 } }, 18, {
      validation: tinySource(6, CLASSES, CLIP),
    });
    expect(result.bestMetric).not.toBeNull();
    expect(fs.existsSync(path.join(outDir, 'checkpoints', 'best.ckpt'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'checkpoints', 'epoch-0002.ckpt'))).toBe(true);
    const epochs = fs
      .readFileSync(path.join(outDir, 'epochs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(epochs[1].valClipAccuracy).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(fs.readFileSync(path.join(outDir, 'run.json'), 'utf8')).selection).toMatch(/held-out/);
  });

  it('stops on a non-finite loss with a clear message by default, and can skip such steps', async () => {
    const nanSource = { ...tinySource(12, CLASSES, CLIP), get: () => ({ id: 'bad', label: 0, video: new Float32Array(54).fill(NaN) }) };
    const student = new TinyStudent(27, 6, CLASSES);
    const mk = (nanGuard: string) =>
      new Trainer({ config: config('baseline', { nanGuard }), student, numClasses: CLASSES, studentDim: 6, train: nanSource, outDir: tmp(), progress: null });
    await expect(mk('error').fit()).rejects.toThrow(/non-finite loss \(NaN\) at epoch 1, step 1/);
    const r = await mk('skip').fit();
    expect(r.skippedSteps).toBe(2);
    expect(Array.from(student.stateDict()['fc1.bias'].dataSync()).every(Number.isFinite)).toBe(true);
  });

  // The trap this guards against (measured on the WASM backend): a student whose weights went non-finite
  // gave zero features, because XNNPACK's poolings turn NaN into -Infinity, so its loss stayed finite and a
  // guard on the loss alone let it train on for 130 epochs. Here a method's loss is finite and its gradient
  // NaN from the second step on.
  it('stops on a finite loss with non-finite gradients, records where in run.json, and can skip such steps', async () => {
    let calls = 0;
    const nanFromSecondCall = tf.customGrad(((x: tf.Tensor) => {
      const poisoned = ++calls >= 2;
      return { value: tf.mul(tf.sum(x), 0), gradFunc: () => tf.mul(tf.onesLike(x), poisoned ? NaN : 0) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Scalar;
    registerMethod('finite-loss-nan-gradient-test', () => ({
      name: 'finite-loss-nan-gradient-test',
      modules: {},
      loss: ({ logits, labels }) => {
        const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, CLASSES), logits) as tf.Scalar;
        return { total: tf.add(ce, nanFromSecondCall(logits)) as tf.Scalar, terms: { cls_v: ce } };
      },
      stateDict: () => ({}),
      loadStateDict: () => undefined,
      dispose: () => undefined,
    }));
    const mk = (nanGuard: string, student = new TinyStudent(27, 6, CLASSES), outDir = tmp()) =>
      new Trainer({
        config: config('finite-loss-nan-gradient-test', { nanGuard, epochs: 2 }),
        student,
        numClasses: CLASSES,
        studentDim: 6,
        train: tinySource(12, CLASSES, CLIP),
        outDir,
        progress: null,
      });

    const outDir = tmp();
    const failed = mk('error', undefined, outDir).fit();
    await expect(failed).rejects.toThrow(DivergedError);
    await expect(failed).rejects.toThrow(/non-finite gradients of \d+ of \d+ variables with a finite loss \([\d.]+\) at epoch 1, step 2/);
    expect(inspectRunFolder(outDir, {}).diverged).toEqual({ epoch: 0, step: 1, globalStep: 2 });
    expect(fs.readFileSync(path.join(outDir, 'steps.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1); // the diverging step is not logged as trained

    calls = 0;
    const student = new TinyStudent(27, 6, CLASSES);
    const r = await mk('skip', student).fit();
    expect(r.skippedSteps).toBe(3); // 2 steps an epoch, 2 epochs: every step after the first
    expect(Object.values(student.stateDict()).every((t) => Array.from(t.dataSync()).every(Number.isFinite))).toBe(true);
  });
});

afterAll(() => tf.disposeVariables());
