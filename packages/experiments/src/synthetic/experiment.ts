import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/base/node';
import { holdOutValidation, readManifest, writeManifest, type Manifest } from '@ccl/data';
import {
  generateSyntheticAV,
  manifestOfCachedSamples,
  prepareClipCache,
  probeManifest,
  type SyntheticAVOptions,
  type TeacherSourceIndex,
} from '@ccl/data/media';
import {
  bootstrapComparison,
  evaluateStudentRun,
  reportFromRunDirectories,
  splitClassesByAgreement,
  type BootstrapComparison,
  type RecognitionResult,
  type RetrievalResult,
  type VideoOutcomes,
} from '@ccl/eval';
import { gitRevision, inspectRunFolder } from '@ccl/distill';
import { studentFor } from '../build-experiment';
import { extractTeacherFeatures } from '../features/extract-teacher-features';
import { fixedLengthAudio } from '../features/teacher-inputs';
import { pretrainAudioTeacher, pretrainImageTeacher } from '../teachers/pretrain';
import { PoolClock, RunClock } from './clocks';
import { METHOD_PLANS } from './method-plans';
import type { BenchRunId, ExperimentRow, SyntheticExperimentOptions } from './options';
import { runPool } from './run-pool';
import { Stages } from './stage';
import { studentRunConfig, trainStudentRun, type StudentSpec } from './student-run';

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
export async function runSyntheticExperiment(
  o: SyntheticExperimentOptions,
): Promise<{ rows: ExperimentRow[]; reportDir: string; comparison: BootstrapComparison | null; benchFile: string }> {
  const stages = new Stages(o.out);
  const codeRevision = gitRevision(); // at the start: the code that runs, even if the checkout moves on during a long bench
  const dataDir = path.join(o.workDir, 'data');
  const cacheDir = path.join(o.workDir, 'cache');
  const preparedFile = path.join(o.workDir, 'manifest.prepared.json');
  const seed0 = o.seeds[0];

  const synthOptions: Omit<SyntheticAVOptions, 'outDir'> = {
    seed: seed0,
    numClasses: o.classes,
    videosPerClass: o.videosPerClass,
    width: 64,
    height: 64,
    frames: 16,
    fps: 8,
    sampleRate: 16000,
    imagesPerAppearance: 16,
    clipsPerSound: 12,
    ...o.regime,
  };
  const perClass =
    o.regime?.trainVideosPerClass !== undefined ? `(${o.regime.trainVideosPerClass} train + ${o.regime.testVideosPerClass} test)` : `${o.videosPerClass}`;
  const synth = await stages.run(`synthesise ${o.classes} classes x ${perClass} videos as mp4 (H.264 + AAC)`, async () => {
    const manifestPath = path.join(dataDir, 'manifest.json');
    const indexPath = (k: string) => path.join(dataDir, 'teachers', k, 'index.json');
    const optionsPath = path.join(dataDir, 'synth-options.json');
    const wanted = JSON.stringify(synthOptions);
    if (fs.existsSync(manifestPath) && fs.existsSync(indexPath('images')) && fs.existsSync(indexPath('sounds'))) {
      const made = fs.existsSync(optionsPath) ? fs.readFileSync(optionsPath, 'utf8').trim() : null;
      if (made !== null && made !== wanted) {
        throw new Error(
          `${dataDir}: holds data synthesised with other options (${made}); this run asks for ${wanted}: use another --work folder, or remove that one`,
        );
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
    const t = await pretrainImageTeacher(
      dataDir,
      synth.images,
      o.student.size,
      { ...spec, epochs: o.teacherEpochs.image },
      path.join(o.workDir, 'teachers', 'image-resnet18.safetensors'),
    );
    stages.note(
      `${t.reused ? 'reused; ' : ''}held-out appearance accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.images.classes.length} appearances)`,
    );
    return t;
  });
  const audioTeacher = await stages.run('pre-train the audio teacher (Cnn14) on clips labelled by sound', async () => {
    const t = await pretrainAudioTeacher(
      dataDir,
      synth.sounds,
      sampleRate,
      seconds,
      { ...spec, epochs: o.teacherEpochs.audio },
      path.join(o.workDir, 'teachers', 'audio-cnn14.safetensors'),
    );
    stages.note(`${t.reused ? 'reused; ' : ''}held-out sound accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.sounds.classes.length} sounds)`);
    return t;
  });
  const featuresDir = path.join(o.workDir, 'features', 'audio-cnn14');
  await stages.run('extract the audio teacher features (one .npy per video)', async () => {
    const input = fixedLengthAudio(Math.round(sampleRate * seconds));
    const r = await extractTeacherFeatures({ samples: manifest.samples, cacheDir, encoder: audioTeacher.encoder, input, outDir: featuresDir });
    stages.note(`${r.written} written, ${r.reused} reused, ${r.noInput.length} videos without audio`);
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
  /** What trainStudentRun gets for a run (its config follows from it: studentRunConfig). */
  const runSpecOf = (id: BenchRunId) => {
    const plan = METHOD_PLANS[id.method]!;
    return {
      method: plan.method,
      label: plan.label,
      outDir: runDirOf(id),
      manifest,
      student: { ...o.student, seed: id.seed },
      teacherDim: o.dim,
      audioFeaturesDir: plan.audio ? featuresDir : undefined,
      imageTeacher: plan.image ? imageTeacher.encoder : undefined,
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      extra: plan.extra,
      teacherOptions: plan.teacherOptions,
    };
  };
  /** A run needs no worker: it finished with this bench's config and was evaluated (else a worker trains or replaces it). */
  const evaluated = (id: BenchRunId) => {
    const folder = inspectRunFolder(runDirOf(id), studentRunConfig(runSpecOf(id)));
    return (
      folder.finished &&
      folder.configChanges?.length === 0 &&
      ['recognition.json', 'retrieval.json'].every((f) => fs.existsSync(path.join(runDirOf(id), 'eval', f)))
    );
  };
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
      const result = await stages.run(
        `train and evaluate ${plan.label} (seed ${seed}, ${o.epochs} epochs; run ${eta.done + 1} of ${runTotal}${eta.startNext()})`,
        async () => {
          const trained = await trainStudentRun({ ...runSpecOf({ method: name, seed }), cacheDir, progress: o.progress, notice: (m) => stages.note(m) });
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
          const evaluated = await evaluateStudentRun(runDir, manifest, cacheDir, student, () => studentFor(trained.config, manifest.classes.length));
          eta.finished(true);
          return evaluated;
        },
      );
      const row: ExperimentRow = {
        label: plan.label,
        seed,
        top1: result.recognition.top1,
        top5: result.recognition.topK['5'] ?? NaN,
        recall: result.retrieval.recallAtK,
        mAP: result.retrieval.mAP,
        correlated: subsetAccuracy(result.recognition, classSplit.correlated),
        weak: subsetAccuracy(result.recognition, classSplit.weak),
        notCorrelated: subsetAccuracy(result.recognition, classSplit.not),
        studentInitDigest,
      };
      rows.push(row);
      outcomes.push(top1Outcomes(plan.label, seed, result.recognition));
      stages.note(`test top-1 ${(100 * row.top1).toFixed(1)}%, R@1 ${(100 * (row.recall['1'] ?? 0)).toFixed(1)}%`);
    }
  }
  imageTeacher.encoder.dispose();
  if (o.only) {
    if (rows.length === 0)
      throw new Error(`no run ${o.only.method} with seed ${o.only.seed} in this bench (seeds ${o.seeds.join(', ')}; methods ${o.methods.join(', ')})`);
    return { rows, reportDir: path.join(o.workDir, 'report'), comparison: null, benchFile: path.join(o.workDir, 'report', 'bench.json') };
  }
  checkSameStudentPerSeed(rows);

  const reportDir = path.join(o.workDir, 'report');
  const comparison = o.methods.includes('baseline')
    ? bootstrapComparison(outcomes, { baseline: 'baseline', replicates: o.bootstrap?.replicates ?? 2000, seed: o.bootstrap?.seed ?? 1 })
    : null;
  const benchFile = path.join(reportDir, 'bench.json');
  const bench = {
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
  };
  await stages.run('write the report (report.html, SVG figures, Markdown, CSV) and bench.json', () => {
    const { files } = reportFromRunDirectories(runDirs, reportDir, {
      // the bench's own folder: force, so a report written before reports recorded their files is replaced too
      force: true,
      extraFiles: { 'bench.json': `${JSON.stringify(bench, null, 2)}\n` },
      title: 'ccl synthetic audio-visual distillation benchmark',
      classSplit,
      agreementSource: "the generator's designed audio-label correspondence (strong / weak / none)",
      // one seed: the runs are labelled by method, so the subset table can show gains over the baseline
      ...(o.seeds.length === 1 && o.methods.includes('baseline') ? { baseline: 'baseline' } : {}),
      notes: [
        `backend: ${o.backend}`,
        `student r2plus1d-18 x${o.student.widthMultiplier}, ${o.student.frames} frames ${o.student.size}px, ${o.epochs} epochs, seeds ${o.seeds.join(', ')}`,
      ],
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
      throw new Error(
        `seed ${seed}: the methods did not start from the same student (${ofSeed.map((r) => `${r.label} ${r.studentInitDigest}`).join(', ')}); a paired comparison needs one initialisation per seed`,
      );
    }
  }
}
