import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evenFrames, openFeatureTeacher, runSyntheticExperiment, formatResultsTable, sameClips, trainStudentRun, type BenchRunId } from '@ccl/experiments';
import { registerSchedule } from '@ccl/distill';
import { main } from '../src/cli';
import { KINETICS_MEAN, KINETICS_STD } from '@ccl/data';
import { acquireFolderLock, clipPath, readNpy } from '@ccl/data/node';
import { ccl as runCcl } from './helpers/run-cli';

/**
 * End to end on the pure-JS backend at a tiny size: synthesise real mp4s -> probe + prepare the cache ->
 * pre-train both teachers on their source tasks -> extract audio features -> train baseline and CCL-AI
 * (2 steps each) -> evaluate recognition and retrieval -> write the report. A second run reuses everything.
 */
describe('synthetic pipeline (demo path)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-e2e-'));
  const options = {
    workDir: work,
    seeds: [1],
    methods: ['baseline', 'ccl-ai'],
    classes: 2,
    videosPerClass: 6,
    epochs: 1,
    batchSize: 4,
    lr: 0.05,
    student: { widthMultiplier: 1 / 16, frames: 4, size: 16 },
    teacherEpochs: { image: 1, audio: 1 },
    dim: 32,
    backend: 'cpu',
    out: { write: () => true },
    progress: null,
  };

  let firstTop1: number[] = [];

  /** trainStudentRun's spec of a 2-epoch baseline seed-1 run into `outDir` on the demo's data (made by the first test). */
  const baselineSpec = (outDir: string, notices: string[]) => ({
    method: 'baseline',
    outDir,
    manifest: JSON.parse(fs.readFileSync(path.join(work, 'manifest.prepared.json'), 'utf8')),
    cacheDir: path.join(work, 'cache'),
    student: { ...options.student, seed: 1 },
    teacherDim: options.dim,
    epochs: 2,
    batchSize: options.batchSize,
    lr: options.lr,
    progress: null,
    notice: (m: string) => notices.push(m),
  });

  it('runs synth -> prepare -> teachers -> features -> train -> eval -> report', async () => {
    const { rows, reportDir, comparison, benchFile } = await runSyntheticExperiment(options);
    firstTop1 = rows.map((r) => r.top1);
    expect(rows.map((r) => r.label)).toEqual(['baseline', 'ccl-ai']);
    for (const r of rows) {
      expect(r.top1).toBeGreaterThanOrEqual(0);
      expect(r.top1).toBeLessThanOrEqual(1);
      expect(r.recall['1']).toBeGreaterThanOrEqual(0);
    }
    // real mp4 files and one .npy of audio features per video
    const manifest = JSON.parse(fs.readFileSync(path.join(work, 'manifest.prepared.json'), 'utf8'));
    expect(manifest.samples).toHaveLength(12);
    expect(fs.existsSync(path.join(work, 'data', manifest.samples[0].video))).toBe(true);
    const npys = manifest.samples.filter((s: { label: string; id: string }) =>
      fs.existsSync(path.join(work, 'features', 'audio-cnn14', s.label, `${s.id}.npy`)),
    );
    expect(npys).toHaveLength(12);
    // each run: steps logged, a checkpoint, evaluation files in the reference val.json shape too
    for (const label of ['baseline', 'ccl-ai']) {
      const run = path.join(work, 'runs', `${label}-s1`);
      expect(JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')).method).toBe(label);
      expect(fs.readFileSync(path.join(run, 'steps.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(2);
      for (const f of ['checkpoints/best.ckpt', 'eval/recognition.json', 'eval/retrieval.json', 'eval/val.json'])
        expect(fs.existsSync(path.join(run, f))).toBe(true);
    }
    const ccl = fs.readFileSync(path.join(work, 'runs', 'ccl-ai-s1', 'steps.jsonl'), 'utf8');
    expect(ccl).toMatch(/"audio\.vm"/);
    expect(ccl).toMatch(/"image\.vm"/);
    // the report: Markdown whose top-1 equals the JSON, SVG figures only; one seed: the method table shows each
    // value alone (no "± 0.0", the spread of one value) and the bootstrap CIs over test videos the console prints
    const summary = fs.readFileSync(path.join(reportDir, 'summary.md'), 'utf8');
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
    expect(summary).toContain('ccl-ai');
    expect(JSON.stringify(report)).toContain('ccl-ai');
    expect(fs.readdirSync(reportDir).filter((f) => f.endsWith('.png'))).toEqual([]);
    expect(summary).not.toContain('±');
    expect(report.bootstrap).toEqual(comparison);
    expect(summary).toContain('### Bootstrap confidence intervals');
    expect(summary).toContain(`| baseline | ${comparison!.rows[0]!.mean.toFixed(1)} \\[${comparison!.rows[0]!.lower.toFixed(1)}, `);
    // the HTML report, one plot per loss term (CCL-AI's teacher terms among them), both runs in each
    const html = fs.readFileSync(path.join(reportDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Training curves</h2>');
    for (const term of ['loss-cls-v', 'loss-audio-vm', 'loss-image-vm']) expect(fs.existsSync(path.join(reportDir, `${term}.svg`))).toBe(true);
    const clsV = fs.readFileSync(path.join(reportDir, 'loss-cls-v.svg'), 'utf8');
    expect(clsV).toContain('data-run="baseline" class="series"');
    expect(clsV).toContain('data-run="ccl-ai" class="series"');
    expect(fs.readFileSync(path.join(reportDir, 'curves.csv'), 'utf8').split('\n')[0]).toBe('run,axis,x,term,value');
    expect(formatResultsTable(rows)).toMatch(/\| ccl-ai \| 1 \|/);

    // bench.json: the paired comparison (per method mean and CI, the difference to the baseline with its CI
    // and verdict), every run, and one student initialisation per seed
    const bench = JSON.parse(fs.readFileSync(benchFile, 'utf8'));
    expect(bench.comparison).toEqual(comparison);
    expect(bench.seeds).toEqual([1]);
    expect(typeof bench.gitRevision === 'string' || bench.gitRevision === null).toBe(true);
    // each run records the revision the bench took at its start (the bench passes it to the Trainer)
    for (const label of ['baseline', 'ccl-ai'])
      expect(JSON.parse(fs.readFileSync(path.join(work, 'runs', `${label}-s1`, 'run.json'), 'utf8')).gitRevision).toBe(bench.gitRevision);
    const [base, cclAi] = comparison!.rows;
    expect(base!.method).toBe('baseline');
    expect(base!.mean).toBeCloseTo(100 * rows[0]!.top1, 9);
    expect(cclAi!.vsBaseline!.mean).toBeCloseTo(100 * (rows[1]!.top1 - rows[0]!.top1), 9);
    for (const r of comparison!.rows) (expect(r.lower).toBeLessThanOrEqual(r.mean), expect(r.upper).toBeGreaterThanOrEqual(r.mean));
    expect(['better', 'worse', 'no difference shown']).toContain(cclAi!.vsBaseline!.verdict);
    expect(rows[0]!.studentInitDigest).toMatch(/^[0-9a-f]{16}$/);
    // each row carries its student's training cross-entropy over the last epoch, as its steps.jsonl has it
    for (const r of bench.runs) {
      expect(r.finalTrainCe).toBeGreaterThan(0);
      expect(r.atChance).toBe(r.finalTrainCe >= 0.9 * Math.log(2));
    }
    expect(rows[1]!.studentInitDigest).toBe(rows[0]!.studentInitDigest);
    expect(bench.outcomes.map((o: { videoIds: string[] }) => o.videoIds.length)).toEqual([comparison!.videosPerSeed[0], comparison!.videosPerSeed[0]]);

    // interrupted after ccl-ai's training, before its evaluation: a rerun reuses the data, the teachers, the
    // baseline and ccl-ai's training, evaluates ccl-ai again, and gives the same numbers
    fs.rmSync(path.join(work, 'runs', 'ccl-ai-s1', 'eval'), { recursive: true });
    const lines: string[] = [];
    const again = await runSyntheticExperiment({ ...options, out: { write: (s: string) => lines.push(s) } });
    expect(again.rows.map((r) => r.top1)).toEqual(rows.map((r) => r.top1));
    expect(again.comparison).toEqual(comparison);
    expect(lines.join('')).toMatch(/reusing the synthesised data/);
    expect(lines.join('').match(/reusing the finished run and its evaluation/g)).toHaveLength(1);
    expect(lines.join('')).not.toMatch(/epoch 1\/1/);

    // `ccl report` over the run folders writes the same kind of report
    const out = path.join(work, 'report-cli');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['node', 'ccl', 'report', path.join(work, 'runs', 'baseline-s1'), path.join(work, 'runs', 'ccl-ai-s1'), '--out', out]);
    write.mockRestore();
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/ccl-ai/);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);

    // `ccl export` of a demo run: its run.json records the clip and the classes (its config names no data)
    const exportSilence = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const exported = await main(['node', 'ccl', 'export', '--run', path.join(work, 'runs', 'ccl-ai-s1'), '--out', path.join(work, 'web-model')]);
    exportSilence.mockRestore();
    expect(exported).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(work, 'web-model', 'student.json'), 'utf8'))).toMatchObject({
      encoder: 'r2plus1d-18',
      classes: manifest.classes,
      clip: { frames: 4, size: 16 },
      source: { method: 'ccl-ai', checkpoint: 'best.ckpt' },
    });

    // `ccl train --config` / `ccl eval --run` on the same prepared data, from a JSON config file whose
    // paths are relative to it: CCL-AI with the audio features folder and the online image teacher.
    const configFile = path.join(work, 'ccl-ai.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        method: 'ccl',
        seed: 2,
        epochs: 1,
        batchSize: 4,
        student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16 } },
        teachers: [
          { name: 'audio', modality: 'audio', dim: 32, features: 'features/audio-cnn14' },
          // the demo's teacher file says which encoder it is and how it was built: no name, no options
          { name: 'image', modality: 'image', dim: 32, encoder: { weights: 'teachers/image-resnet18.safetensors' } },
        ],
        data: { manifest: 'manifest.prepared.json', cacheDir: 'cache', frames: 4, size: 16 },
      }),
    );
    const silence = [jest.spyOn(process.stdout, 'write').mockImplementation(() => true), jest.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    const runDir = path.join(work, 'runs', 'cli-ccl-ai');
    const trained = await main(['node', 'ccl', 'train', '--config', configFile, '--out', runDir, '--backend', 'cpu']);
    const evaluated = await main(['node', 'ccl', 'eval', '--run', runDir, '--json', '--backend', 'cpu']);
    const typo = path.join(work, 'typo.json');
    fs.writeFileSync(
      typo,
      JSON.stringify({ method: 'ccl', student: { encoder: 'r2plus1d-18' }, teachers: [{ name: 'audio', modality: 'audio', dim: 32 }], epoch: 3 }),
    );
    const refused = await main(['node', 'ccl', 'train', '--config', typo, '--out', path.join(work, 'runs', 'typo')]);
    silence.forEach((s) => s.mockRestore());
    expect([trained, evaluated, refused]).toEqual([0, 0, 1]);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))).toMatchObject({ method: 'ccl', configFile });
    expect(fs.readFileSync(path.join(runDir, 'steps.jsonl'), 'utf8')).toMatch(/"image\.vt"/);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'recognition.json'), 'utf8')).numVideos).toBe(
      manifest.samples.filter((x: { split: string }) => x.split === 'test').length,
    );

    // `ccl features extract` with the demo's image teacher and nothing but its file: the encoder and options
    // come from the file, and the frames are normalised as its stills were in pre-training (the student's
    // Kinetics statistics; it printed and applied ImageNet's before the file said so)
    const prepared = path.join(work, 'prepared');
    fs.mkdirSync(prepared, { recursive: true });
    fs.copyFileSync(path.join(work, 'manifest.prepared.json'), path.join(prepared, 'manifest.json'));
    fs.symlinkSync(path.join(work, 'cache'), path.join(prepared, 'cache'));
    const teacherFile = path.join(work, 'teachers', 'image-resnet18.safetensors');
    const args = ['--weights', teacherFile, '--data', prepared, '--out', path.join(prepared, 'image'), '--frames', '2', '--size', '16', '--backend', 'cpu'];
    const extracted = await runCcl('features', 'extract', ...args);
    expect({ code: extracted.code, err: extracted.code ? extracted.err : '' }).toEqual({ code: 0, err: '' });
    expect(extracted.err).toMatch(/resnet18 input: RGB in \[0, 1\] normalised with mean \[0\.4345, 0\.4051, 0\.3775\] std \[0\.2768, 0\.2713, 0\.2737\]/);
    const sample = manifest.samples[0] as { id: string; label: string };
    const teacher = openFeatureTeacher({ weights: teacherFile, options: {}, frames: 2, size: 16 });
    const frames = evenFrames(2, 16, { kind: 'images', mean: [...KINETICS_MEAN], std: [...KINETICS_STD], description: 'Kinetics' })(
      clipPath(path.join(work, 'cache'), sample.id),
    )!;
    const byHand = teacher.eval().features(frames);
    const npy = readNpy(path.join(prepared, 'image', sample.label, `${sample.id}.npy`));
    expect(npy.shape).toEqual([2, 32]);
    const worst = Array.from(byHand.dataSync()).reduce((m, v, i) => Math.max(m, Math.abs(v - npy.data[i]!)), 0);
    expect(worst).toBeLessThan(1e-5);
    byHand.dispose();
    frames.dispose();
    teacher.dispose();
  }, 300_000); // the whole pipeline: ~45 s alone on 2 cores, over 120 s when the machine is shared
  // (uses the work folder of the test above)
  it('parallel runs: each run without an evaluation goes to a worker (`only`), at most `jobs` at once; the numbers are the sequential ones', async () => {
    fs.rmSync(path.join(work, 'runs', 'baseline-s1'), { recursive: true }); // not trained
    fs.rmSync(path.join(work, 'runs', 'ccl-ai-s1', 'eval'), { recursive: true }); // trained, not evaluated
    const handed: BenchRunId[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let queue = Promise.resolve();
    const workerRows: number[] = [];
    const run = async (id: BenchRunId) => {
      handed.push(id);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 20)); // both lanes start before either trains
      // one tfjs engine here: the workers take turns (the CLI's are processes); the cache stays locked by
      // another process meanwhile, as when two workers start at once: a worker must not need its lock
      const mine = queue.then(async () => {
        const release = acquireFolderLock(path.join(work, 'cache'), { what: 'another worker' });
        try {
          return await runSyntheticExperiment({ ...options, only: id });
        } finally {
          release();
        }
      });
      queue = mine.then(() => undefined);
      const r = await mine;
      workerRows.push(r.rows.length);
      inFlight--;
    };
    const benchFile = path.join(work, 'report', 'bench.json');
    const benchBefore = fs.readFileSync(benchFile, 'utf8');
    const { rows } = await runSyntheticExperiment({ ...options, parallel: { jobs: 2, run } });
    expect(handed).toEqual([
      { method: 'baseline', seed: 1 },
      { method: 'ccl-ai', seed: 1 },
    ]);
    expect(maxInFlight).toBe(2);
    expect(workerRows).toEqual([1, 1]); // a worker trains and evaluates its own run only
    expect(rows.map((r) => r.top1)).toEqual(firstTop1);
    expect(fs.readFileSync(benchFile, 'utf8')).not.toBe(benchBefore); // the parent rewrote it (gitRevision aside, the same numbers)

    // nothing left to do: no worker is started
    handed.length = 0;
    await runSyntheticExperiment({ ...options, parallel: { jobs: 2, run } });
    expect(handed).toEqual([]);

    // a run evaluated under another config (here: its run.json says 2 epochs) is not done: a worker replaces it
    const runJson = path.join(work, 'runs', 'baseline-s1', 'run.json');
    const recorded = JSON.parse(fs.readFileSync(runJson, 'utf8'));
    fs.writeFileSync(runJson, JSON.stringify({ ...recorded, config: { ...recorded.config, epochs: 2 } }));
    const again = await runSyntheticExperiment({ ...options, parallel: { jobs: 2, run } });
    expect(handed).toEqual([{ method: 'baseline', seed: 1 }]);
    expect(again.rows.map((r) => r.top1)).toEqual(firstTop1);
    await expect(runSyntheticExperiment({ ...options, only: { method: 'ccl-ai', seed: 7 } })).rejects.toThrow(
      /no run ccl-ai with seed 7 in this bench \(seeds 1; methods baseline, ccl-ai\)/,
    );
  });

  it('run folders: `ccl train` into a run is refused, --force replaces it; the demo replaces a run of another config', async () => {
    const silence = [jest.spyOn(process.stdout, 'write').mockImplementation(() => true), jest.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    const runDir = path.join(work, 'runs', 'cli-ccl-ai');
    const train = (...flags: string[]) =>
      main(['node', 'ccl', 'train', '--config', path.join(work, 'ccl-ai.json'), '--out', runDir, '--backend', 'cpu', ...flags]);
    const steps = (dir: string) => fs.readFileSync(path.join(dir, 'steps.jsonl'), 'utf8');
    const firstSteps = steps(runDir);
    const refused = await train();
    const forced = await train('--force');
    silence.forEach((s) => s.mockRestore());
    expect([refused, forced]).toEqual([1, 0]);
    const globalSteps = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).globalStep);
    expect(globalSteps(steps(runDir))).toEqual(globalSteps(firstSteps)); // a clean folder: each step once, none of the old run's
    expect(fs.existsSync(path.join(runDir, 'eval'))).toBe(false); // the old run's evaluation went with it

    // the demo's finished baseline run, asked for with more epochs: replaced, never reused nor appended to
    const baselineDir = path.join(work, 'runs', 'baseline-s1');
    const stepsPerEpoch = steps(baselineDir).trim().split('\n').length;
    const notices: string[] = [];
    const longerSpec = baselineSpec(baselineDir, notices);
    const longer = await trainStudentRun(longerSpec);
    longer.student.dispose();
    expect(longer.reused).toBe(false);
    expect(notices.join('\n')).toMatch(/--force: removed the previous run/);
    expect(globalSteps(steps(baselineDir))).toEqual(Array.from({ length: 2 * stepsPerEpoch }, (_, i) => i + 1));

    // the same config on other clips (smaller frames, other crops: run.json records them, the config does not): replaced too
    for (const other of [{ student: { ...options.student, size: options.student.size - 4, seed: 1 } }, { augment: { scale: [0.8, 1] as [number, number] } }]) {
      notices.length = 0;
      const spec = { ...longerSpec, ...other };
      expect(sameClips(baselineDir, spec)).toBe(false);
      const again = await trainStudentRun(spec);
      again.student.dispose();
      expect([again.reused, notices.join('\n')]).toEqual([false, expect.stringMatching(/--force: removed the previous run/)]);
      expect(sameClips(baselineDir, spec)).toBe(true);
    }
  });

  it('a run that diverges after its first epoch: stopped at the step, recorded, evaluated at the held-out choice, then reused as done', async () => {
    // a learning rate of 1e30 from the second epoch on: the second epoch's second step has a non-finite loss
    registerSchedule('pipeline-test-diverges-in-epoch-2', () => ({
      kind: 'pipeline-test-diverges-in-epoch-2',
      lrAt: (epoch, lr) => (epoch === 0 ? lr : 1e30),
    }));
    const notices: string[] = [];
    const spec = { ...baselineSpec(path.join(work, 'runs', 'diverging-s1'), notices), extra: { schedule: { kind: 'pipeline-test-diverges-in-epoch-2' } } };
    const trained = await trainStudentRun(spec);
    trained.student.dispose();
    const stepsText = fs.readFileSync(path.join(spec.outDir, 'steps.jsonl'), 'utf8');
    const stepsPerEpoch = stepsText.trim().split('\n').length - 1; // the whole first epoch and the second's first step
    expect(trained.diverged).toEqual({ epoch: 1, step: 1, globalStep: stepsPerEpoch + 2 });
    expect(notices.join('\n')).toMatch(
      /diverged at epoch 2, step 2 \(global step \d+\): non-finite (loss|gradients)[^;]*; its numbers are those of the checkpoint chosen on the held-out split before it/,
    );
    expect(JSON.parse(fs.readFileSync(path.join(spec.outDir, 'run.json'), 'utf8')).diverged).toEqual(trained.diverged);
    expect(fs.existsSync(path.join(spec.outDir, 'checkpoints', 'best.ckpt'))).toBe(true); // chosen after the first epoch

    const again = await trainStudentRun(spec);
    again.student.dispose();
    expect([again.reused, again.diverged]).toEqual([true, trained.diverged]); // done: not trained into the same divergence again
    expect(fs.readFileSync(path.join(spec.outDir, 'steps.jsonl'), 'utf8')).toBe(stepsText);
  });
});
