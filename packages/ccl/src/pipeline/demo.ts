import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { holdOutValidation, readManifest, writeFileAtomicSync, writeJsonAtomicSync, writeManifest, type Manifest } from '@ccl/data';
import {
  generateSyntheticAV,
  manifestOfCachedSamples,
  prepareClipCache,
  probeManifest,
  type SyntheticAVOptions,
  type TeacherSourceIndex,
} from '@ccl/data/media';
import { bootstrapComparison, formatBootstrapSummary, formatBootstrapTable, reportFromRunDirectories, splitClassesByAgreement, type BootstrapComparison, type RecognitionResult, type RetrievalResult, type VideoOutcomes } from '@ccl/eval';
import { gitRevision } from '@ccl/distill';
import { extractAudioFeatures } from './audio-features';
import { Stages } from './stage';
import { evaluateStudentRun, trainStudentRun, type StudentSpec } from './student-run';
import { pretrainAudioTeacher, pretrainImageTeacher } from './teachers';

/** One method of the demo / synthetic benchmark: which teachers it uses and extra config. */
export interface MethodPlan {
  label: string;
  method: string;
  audio: boolean;
  image: boolean;
  extra?: Record<string, unknown>;
  /** Extra settings of a teacher by name (temperatures of an ablation). */
  teacherOptions?: Record<string, Record<string, unknown>>;
}

/** CCL-AI with one thing changed: the ablations that explain a CCL result (docs/benchmark.md). */
const CCL_AI_ABLATIONS: Record<string, Omit<MethodPlan, 'label' | 'audio' | 'image'>> = {
  'ccl-ai-paper': { method: 'ccl-paper' },
  'ccl-ai-no-composition': { method: 'ccl', extra: { cclTerms: { composition: false } } },
  'ccl-ai-no-jsd': { method: 'ccl', extra: { cclTerms: { jsd: false } } },
  'ccl-ai-no-vm': { method: 'ccl', extra: { cclTerms: { vm: false } } },
  'ccl-ai-lw1': { method: 'ccl', extra: { lossWeight: 1 } },
  'ccl-ai-lw0.1': { method: 'ccl', extra: { lossWeight: 0.1 } },
  'ccl-ai-tau-swapped': { method: 'ccl', teacherOptions: { audio: { temperature: 0.1 }, image: { temperature: 0.5 } } },
  'ccl-ai-tau1': { method: 'ccl', teacherOptions: { audio: { temperature: 1 }, image: { temperature: 1 } } },
};

export const METHOD_PLANS: Record<string, MethodPlan> = {
  baseline: { label: 'baseline', method: 'baseline', audio: false, image: false },
  'ccl-a': { label: 'ccl-a', method: 'ccl', audio: true, image: false },
  'ccl-i': { label: 'ccl-i', method: 'ccl', audio: false, image: true },
  'ccl-ai': { label: 'ccl-ai', method: 'ccl', audio: true, image: true },
  ...Object.fromEntries(
    ['fitnet', 'pkt', 'cor', 'rkd', 'crd', 'ifd', 'cmc', 'sp', 'vid'].map((m) => [
      m,
      { label: m, method: m, audio: true, image: true, extra: m === 'crd' || m === 'cmc' ? { kdOptions: { numNegatives: 256, embedDim: 64 } } : undefined },
    ]),
  ),
  ...Object.fromEntries(Object.entries(CCL_AI_ABLATIONS).map(([label, plan]) => [label, { label, audio: true, image: true, ...plan }])),
};

export interface SyntheticExperimentOptions {
  workDir: string;
  seeds: number[];
  methods: string[];
  classes: number;
  videosPerClass: number;
  epochs: number;
  batchSize: number;
  lr: number;
  student: Omit<StudentSpec, 'seed'>;
  teacherEpochs: { image: number; audio: number };
  /** Teacher and student feature size (equal: the contrastive terms compare them). */
  dim: number;
  out?: { write(s: string): unknown };
  progress?: NodeJS.WriteStream | null;
  backend: string;
  /** The paired bootstrap of the comparison (default 2000 replicates, seed 1). */
  bootstrap?: { replicates?: number; seed?: number };
  /**
   * The generator's regime options (split sizes, the teachers' broader source sets, the kind of audio gap,
   * difficulty; see @ccl/data's generateSyntheticAV and docs/data.md, Regimes). They override
   * `videosPerClass` and the defaults below; absent: the demo's data.
   */
  regime?: SyntheticRegime;
  /**
   * Train and evaluate only this run (a worker of a parallel bench): the shared stages are reused, no
   * report or bench.json is written.
   */
  only?: BenchRunId;
  /**
   * Runs several runs at once: after the shared stages, every run without an evaluation is handed to
   * `run` (e.g. a child process calling this function with `only`), at most `jobs` at a time; then the
   * runs are read back as finished ones. The numbers are those of the same runs trained one by one.
   */
  parallel?: { jobs: number; run(id: BenchRunId): Promise<void> };
}

/** One run of the benchmark: a method (a METHOD_PLANS name) and a seed. */
export interface BenchRunId {
  method: string;
  seed: number;
}

/** The generator options a benchmark regime may set. */
export type SyntheticRegime = Pick<
  SyntheticAVOptions,
  'trainVideosPerClass' | 'testVideosPerClass' | 'sourceConcepts' | 'unrelatedAudio' | 'soundStepsPerOctave' | 'pixelNoise' | 'correspondence' | 'weakProbability' | 'imagesPerAppearance' | 'clipsPerSound'
>;

/** The demo's built-in default: small enough for 2 CPU cores in a few minutes, same pipeline as the paper. */
export const DEMO_DEFAULTS: Omit<SyntheticExperimentOptions, 'workDir' | 'backend'> = {
  seeds: [1],
  methods: ['baseline', 'ccl-ai', 'fitnet'],
  classes: 8,
  videosPerClass: 16,
  epochs: 20,
  batchSize: 8,
  lr: 0.05,
  student: { widthMultiplier: 1 / 8, frames: 8, size: 32 },
  teacherEpochs: { image: 30, audio: 10 },
  dim: 64,
};

export interface ExperimentRow {
  label: string;
  seed: number;
  top1: number;
  top5: number;
  recall: Record<string, number>;
  mAP: number | null;
  /** Video accuracy on classes whose audio matches the label (designed 'strong'), weakly, and not. */
  correlated: number | null;
  weak: number | null;
  notCorrelated: number | null;
  /** The student's weights before training (see stateDigest): equal for every method of a seed. */
  studentInitDigest: string;
}

function subsetAccuracy(r: RecognitionResult, classes: number[]): number | null {
  const vids = r.videos.filter((v) => classes.includes(v.label));
  return vids.length ? vids.filter((v) => v.predicted === v.label).length / vids.length : null;
}

/**
 * The synthetic audio-visual distillation experiment, end to end: synthesise real mp4 files, probe and
 * cache them, pre-train the image and audio teachers on their own source tasks, extract the audio
 * features, train every method (reusing finished runs), evaluate recognition and retrieval, write the
 * report. Every stage reuses what an earlier run left.
 */
export async function runSyntheticExperiment(o: SyntheticExperimentOptions): Promise<{ rows: ExperimentRow[]; reportDir: string; comparison: BootstrapComparison | null; benchFile: string }> {
  const stages = new Stages(o.out);
  const codeRevision = gitRevision(); // at the start: the code that runs, even if the checkout moves on during a long bench
  const dataDir = path.join(o.workDir, 'data');
  const cacheDir = path.join(o.workDir, 'cache');
  const preparedFile = path.join(o.workDir, 'manifest.prepared.json');
  const seed0 = o.seeds[0];

  const synthOptions: Omit<SyntheticAVOptions, 'outDir'> = {
    seed: seed0, numClasses: o.classes, videosPerClass: o.videosPerClass, width: 64, height: 64, frames: 16, fps: 8, sampleRate: 16000, imagesPerAppearance: 16, clipsPerSound: 12,
    ...o.regime,
  };
  const perClass = o.regime?.trainVideosPerClass !== undefined ? `(${o.regime.trainVideosPerClass} train + ${o.regime.testVideosPerClass} test)` : `${o.videosPerClass}`;
  const synth = await stages.run(`synthesise ${o.classes} classes x ${perClass} videos as mp4 (H.264 + AAC)`, async () => {
    const manifestPath = path.join(dataDir, 'manifest.json');
    const indexPath = (k: string) => path.join(dataDir, 'teachers', k, 'index.json');
    const optionsPath = path.join(dataDir, 'synth-options.json');
    const wanted = JSON.stringify(synthOptions);
    if (fs.existsSync(manifestPath) && fs.existsSync(indexPath('images')) && fs.existsSync(indexPath('sounds'))) {
      const made = fs.existsSync(optionsPath) ? fs.readFileSync(optionsPath, 'utf8').trim() : null;
      if (made !== null && made !== wanted) {
        throw new Error(`${dataDir}: holds data synthesised with other options (${made}); this run asks for ${wanted}: use another --work folder, or remove that one`);
      }
      stages.note('reusing the synthesised data');
      const read = (k: string) => JSON.parse(fs.readFileSync(indexPath(k), 'utf8')) as TeacherSourceIndex;
      return { manifest: readManifest(manifestPath), images: read('images'), sounds: read('sounds') };
    }
    const made = await generateSyntheticAV({ outDir: dataDir, ...synthOptions });
    writeFileAtomicSync(optionsPath, `${wanted}\n`);
    return made;
  });
  const sampleRate = Number((synth.manifest.meta as Record<string, unknown>)?.sampleRate ?? 16000);
  const seconds = Number((synth.manifest.meta as Record<string, unknown>)?.frames ?? 16) / Number((synth.manifest.meta as Record<string, unknown>)?.fps ?? 8);

  const manifest: Manifest = await stages.run('probe (mediainfo.js) and prepare the clip cache (ffmpeg)', async () => {
    if (fs.existsSync(preparedFile)) {
      stages.note('reusing the prepared manifest');
      const m = readManifest(preparedFile);
      // a worker of a parallel bench reads the cache its parent has just checked; the others would wait on its lock
      if (!o.only) await prepareClipCache({ manifest: m, cacheDir, shortSide: null, audioSampleRate: sampleRate });
      return m;
    }
    const { manifest: probed, failures } = await probeManifest(synth.manifest);
    for (const f of failures) stages.note(`probe failed: ${JSON.stringify(f)}`);
    const report = await prepareClipCache({ manifest: probed, cacheDir, shortSide: null, audioSampleRate: sampleRate });
    stages.note(`${report.prepared} videos decoded, ${report.alreadyCached} already cached, ${report.skipped.length} skipped`);
    const withVal = holdOutValidation(manifestOfCachedSamples(probed, report), { fraction: 0.15, seed: seed0 }); // skipped videos stay in the report only
    writeManifest(preparedFile, withVal);
    return withVal;
  });
  const count = (split: string) => manifest.samples.filter((s) => s.split === split).length;
  stages.note(`${manifest.classes.length} classes; ${count('train')} train / ${count('val')} held-out validation / ${count('test')} test videos`);

  const spec = { dim: o.dim, widthMultiplier: o.dim / 512, seed: seed0 };
  const imageTeacher = await stages.run('pre-train the image teacher (ResNet-18) on stills labelled by appearance', async () => {
    const t = await pretrainImageTeacher(dataDir, synth.images, o.student.size, { ...spec, epochs: o.teacherEpochs.image }, path.join(o.workDir, 'teachers', 'image-resnet18.safetensors'));
    stages.note(`${t.reused ? 'reused; ' : ''}held-out appearance accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.images.classes.length} appearances)`);
    return t;
  });
  const audioTeacher = await stages.run('pre-train the audio teacher (Cnn14) on clips labelled by sound', async () => {
    const t = await pretrainAudioTeacher(dataDir, synth.sounds, sampleRate, seconds, { ...spec, epochs: o.teacherEpochs.audio }, path.join(o.workDir, 'teachers', 'audio-cnn14.safetensors'));
    stages.note(`${t.reused ? 'reused; ' : ''}held-out sound accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.sounds.classes.length} sounds)`);
    return t;
  });
  const featuresDir = path.join(o.workDir, 'features', 'audio-cnn14');
  await stages.run('extract the audio teacher features (one .npy per video)', () => {
    const r = extractAudioFeatures(manifest, cacheDir, audioTeacher.encoder, featuresDir, Math.round(sampleRate * seconds));
    stages.note(`${r.written} written, ${r.reused} reused, ${r.noAudio.length} videos without audio`);
  });
  audioTeacher.encoder.dispose();

  const rows: ExperimentRow[] = [];
  const outcomes: VideoOutcomes[] = [];
  const runDirs: string[] = [];
  const runTotal = o.seeds.length * o.methods.length;
  const eta = new RunClock(runTotal);
  const corr = ((manifest.meta as Record<string, unknown>)?.correspondence ?? {}) as Record<string, string>;
  const level = (c: string) => (corr[c] === 'strong' ? 1 : corr[c] === 'weak' ? 0.5 : corr[c] === 'none' ? 0 : null);
  const classSplit = splitClassesByAgreement(manifest.classes.map(level), { correlated: 0.9, weak: 0.4 });
  for (const name of o.methods) if (!METHOD_PLANS[name]) throw new Error(`unknown method '${name}'; known: ${Object.keys(METHOD_PLANS).join(', ')}`);
  const runDirOf = (id: BenchRunId) => path.join(o.workDir, 'runs', `${METHOD_PLANS[id.method]!.label}-s${id.seed}`);
  const evaluated = (id: BenchRunId) => ['recognition.json', 'retrieval.json'].every((f) => fs.existsSync(path.join(runDirOf(id), 'eval', f)));
  if (o.parallel && o.parallel.jobs > 1 && !o.only) {
    const parallel = o.parallel;
    const pending = o.seeds.flatMap((seed) => o.methods.map((method) => ({ method, seed }))).filter((id) => !evaluated(id));
    if (pending.length > 0) {
      await stages.run(`train and evaluate ${pending.length} of ${runTotal} runs, ${parallel.jobs} at a time`, () => {
        const clock = new PoolClock(pending.length);
        return runPool(pending, parallel.jobs, async (id) => {
          await parallel.run(id);
          stages.note(`finished ${METHOD_PLANS[id.method]!.label} seed ${id.seed} (${clock.finished()})`);
        });
      });
    }
  }
  for (const seed of o.seeds) {
    for (const name of o.methods) {
      if (o.only && (o.only.seed !== seed || o.only.method !== name)) continue;
      const plan = METHOD_PLANS[name]!;
      const runDir = runDirOf({ method: name, seed });
      runDirs.push(runDir);
      const student: StudentSpec = { ...o.student, seed };
      let studentInitDigest = '';
      const result = await stages.run(`train and evaluate ${plan.label} (seed ${seed}, ${o.epochs} epochs; run ${eta.done + 1} of ${runTotal}${eta.startNext()})`, async () => {
        const trained = await trainStudentRun({
          method: plan.method, label: plan.label, outDir: runDir, manifest, cacheDir, student, teacherDim: o.dim,
          audioFeaturesDir: plan.audio ? featuresDir : undefined, imageTeacher: plan.image ? imageTeacher.encoder : undefined,
          epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, extra: plan.extra, teacherOptions: plan.teacherOptions, progress: o.progress, notice: (m) => stages.note(m),
        });
        trained.student.dispose();
        studentInitDigest = trained.studentInitDigest;
        const evalDir = path.join(runDir, 'eval');
        if (trained.reused && fs.existsSync(path.join(evalDir, 'recognition.json')) && fs.existsSync(path.join(evalDir, 'retrieval.json'))) {
          stages.note('reusing the finished run and its evaluation');
          eta.finished(false);
          return {
            recognition: JSON.parse(fs.readFileSync(path.join(evalDir, 'recognition.json'), 'utf8')) as RecognitionResult,
            retrieval: JSON.parse(fs.readFileSync(path.join(evalDir, 'retrieval.json'), 'utf8')) as RetrievalResult,
          };
        }
        const evaluated = evaluateStudentRun(runDir, manifest, cacheDir, student);
        eta.finished(true);
        return evaluated;
      });
      const row: ExperimentRow = {
        label: plan.label, seed, top1: result.recognition.top1, top5: result.recognition.topK['5'] ?? NaN, recall: result.retrieval.recallAtK, mAP: result.retrieval.mAP,
        correlated: subsetAccuracy(result.recognition, classSplit.correlated), weak: subsetAccuracy(result.recognition, classSplit.weak), notCorrelated: subsetAccuracy(result.recognition, classSplit.not),
        studentInitDigest,
      };
      rows.push(row);
      outcomes.push(top1Outcomes(plan.label, seed, result.recognition));
      stages.note(`test top-1 ${(100 * row.top1).toFixed(1)}%, R@1 ${(100 * (row.recall['1'] ?? 0)).toFixed(1)}%`);
    }
  }
  imageTeacher.encoder.dispose();
  if (o.only) {
    if (rows.length === 0) throw new Error(`no run ${o.only.method} with seed ${o.only.seed} in this bench (seeds ${o.seeds.join(', ')}; methods ${o.methods.join(', ')})`);
    return { rows, reportDir: path.join(o.workDir, 'report'), comparison: null, benchFile: path.join(o.workDir, 'report', 'bench.json') };
  }
  checkSameStudentPerSeed(rows);

  const reportDir = path.join(o.workDir, 'report');
  const comparison = o.methods.includes('baseline')
    ? bootstrapComparison(outcomes, { baseline: 'baseline', replicates: o.bootstrap?.replicates ?? 2000, seed: o.bootstrap?.seed ?? 1 })
    : null;
  const benchFile = path.join(reportDir, 'bench.json');
  writeJsonAtomicSync(benchFile, {
    schema: 'ccl.bench-synthetic/1',
    metric: 'video top-1 accuracy (%), softmax averaged over sliding windows',
    design: 'paired: per seed, every method shares the data, the split, the teachers and the student initialisation',
    options: { ...o, out: undefined, progress: undefined },
    seeds: o.seeds,
    methods: o.methods,
    backend: o.backend,
    gitRevision: codeRevision,
    comparison,
    runs: rows,
    outcomes,
  });
  await stages.run('write the report (Markdown + PNG plots)', () => {
    const { files } = reportFromRunDirectories(runDirs, reportDir, {
      title: 'ccl synthetic audio-visual distillation benchmark',
      classSplit,
      agreementSource: "the generator's designed audio-label correspondence (strong / weak / none)",
      notes: [`backend: ${o.backend}`, `student r2plus1d-18 x${o.student.widthMultiplier}, ${o.student.frames} frames ${o.student.size}px, ${o.epochs} epochs, seeds ${o.seeds.join(', ')}`],
    });
    stages.note(`${files.length} files in ${reportDir}`);
  });
  stages.note(`total ${stages.elapsed().toFixed(0)} s`);
  tf.disposeVariables();
  return { rows, reportDir, comparison, benchFile };
}

/** Per-video top-1 outcomes (1 correct, 0 wrong) of one run: the bootstrap's input. */
function top1Outcomes(method: string, seed: number, r: RecognitionResult): VideoOutcomes {
  return { method, seed, videoIds: r.videos.map((v) => v.videoId), values: r.videos.map((v) => (v.predicted === v.label ? 1 : 0)) };
}

/** The paired design's premise, checked: every method of a seed started from the same student weights. */
export function checkSameStudentPerSeed(rows: readonly Pick<ExperimentRow, 'label' | 'seed' | 'studentInitDigest'>[]): void {
  for (const seed of new Set(rows.map((r) => r.seed))) {
    const ofSeed = rows.filter((r) => r.seed === seed);
    const digests = new Set(ofSeed.map((r) => r.studentInitDigest));
    if (digests.size > 1) {
      throw new Error(`seed ${seed}: the methods did not start from the same student (${ofSeed.map((r) => `${r.label} ${r.studentInitDigest}`).join(', ')}); a paired comparison needs one initialisation per seed`);
    }
  }
}

/** Runs done and an ETA for the rest from the mean time of the runs that trained (reused ones cost ~0). */
class RunClock {
  done = 0;
  private trainedSeconds = 0;
  private trained = 0;
  private last = Date.now();

  constructor(private readonly total: number) {}

  finished(trained: boolean): void {
    const now = Date.now();
    if (trained) {
      this.trainedSeconds += (now - this.last) / 1000;
      this.trained++;
    }
    this.last = now;
    this.done++;
  }

  /** Marks the next run's start; returns `; ETA 3 min` for the runs left once one has trained, else ''. */
  startNext(): string {
    this.last = Date.now();
    if (this.trained === 0) return '';
    const seconds = (this.trainedSeconds / this.trained) * (this.total - this.done);
    return `; ETA ${seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`}`;
  }
}

/** Runs `work` over `items`, at most `jobs` at a time; the first failure is thrown once the others in flight end. */
export async function runPool<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
  if (failure !== null) throw failure;
}

/** `k of N; ETA 3 min` for runs finishing in parallel: the wall-clock time per finished run, times the runs left. */
class PoolClock {
  private done = 0;
  private readonly started = Date.now();

  constructor(private readonly total: number) {}

  finished(): string {
    this.done++;
    const left = this.total - this.done;
    if (left === 0) return `${this.done} of ${this.total}`;
    const seconds = ((Date.now() - this.started) / 1000 / this.done) * left;
    return `${this.done} of ${this.total}; ETA ${seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`}`;
  }
}

/** The comparison table (mean ± std over seeds) as Markdown. */
export function formatResultsTable(rows: ExperimentRow[]): string {
  const labels = [...new Set(rows.map((r) => r.label))];
  const stat = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).map((x) => 100 * x);
    if (!v.length) return '-';
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    if (v.length === 1) return m.toFixed(1);
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    return `${m.toFixed(1)} ± ${sd.toFixed(1)}`;
  };
  const lines = [
    '| method | seeds | top-1 | top-5 | R@1 | R@5 | R@10 | mAP | top-1 audio-correlated | weakly | not correlated |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const l of labels) {
    const rs = rows.filter((r) => r.label === l);
    lines.push(`| ${l} | ${rs.length} | ${stat(rs.map((r) => r.top1))} | ${stat(rs.map((r) => r.top5))} | ${stat(rs.map((r) => r.recall['1']))} | ${stat(rs.map((r) => r.recall['5']))} | ${stat(rs.map((r) => r.recall['10']))} | ${stat(rs.map((r) => r.mAP))} | ${stat(rs.map((r) => r.correlated))} | ${stat(rs.map((r) => r.weak))} | ${stat(rs.map((r) => r.notCorrelated))} |`);
  }
  return lines.join('\n');
}

/**
 * What the demo and the benchmark print: the paired comparison of video top-1 against the baseline (mean,
 * 95% bootstrap CI, the difference's CI and its verdict, a summary in words), then every metric as mean ±
 * std over seeds.
 */
export function formatBenchOutput(result: { rows: ExperimentRow[]; comparison: BootstrapComparison | null; benchFile: string }): string {
  const parts: string[] = [];
  if (result.comparison) {
    const c = result.comparison;
    const videos = c.videosPerSeed.join(', ');
    parts.push(
      `Video top-1, paired against the baseline (${c.seeds.length} seed${c.seeds.length > 1 ? 's' : ''}, ${videos} test videos per seed; ${Math.round(100 * c.confidence)}% bootstrap CIs over ${c.levels.join(' and ')}, ${c.replicates} replicates):`,
      '',
      formatBootstrapTable(c),
      '',
      formatBootstrapSummary(c),
    );
    if (c.levels.length === 1) parts.push('With one seed the intervals resample the test videos only: they leave out how much a result moves from seed to seed.');
  } else {
    parts.push('No baseline among the methods: no paired comparison.');
  }
  parts.push('', 'Every metric, mean ± std over seeds (%):', '', formatResultsTable(result.rows), '', `all numbers: ${result.benchFile}`);
  return parts.join('\n');
}
