import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manifest } from '@ccl/data';
import { inspectRunFolder } from '@ccl/distill';
import {
  evaluateStudentRun,
  splitClassesByAgreement,
  type ClassSplit,
  type RecognitionResult,
  type RetrievalResult,
  type ProbeSummary,
  type VideoOutcomes,
} from '@ccl/eval';
import { studentFor } from '../../build-experiment';
import type { PretrainedTeacher } from '../../teachers/pretrain';
import { PoolClock, RunClock } from '../clocks';
import { METHOD_PLANS } from '../method-plans';
import type { BenchRunId, ExperimentRow, SyntheticExperimentOptions } from '../options';
import { runPool } from '../run-pool';
import type { Stages } from '../stage';
import { sameClips, studentRunConfig, trainStudentRun, type StudentSpec } from '../student-run';
import { atChance, finalTrainingCrossEntropy } from '../training-fit';

/** What the runs produced: a row and the per-video outcomes of each run, their folders, the class split of the subset columns. */
export interface BenchRuns {
  rows: ExperimentRow[];
  outcomes: VideoOutcomes[];
  runDirs: string[];
  classSplit: ClassSplit;
}

/**
 * Stage 6 on: train and evaluate every method for every seed (`o.only`: one run), reusing finished and
 * evaluated runs; with `o.parallel`, the runs that need work go to workers first, then their results are read.
 */
export async function trainAndEvaluateStage(
  stages: Stages,
  o: SyntheticExperimentOptions,
  manifest: Manifest,
  teachers: { image: PretrainedTeacher; audioFeaturesDir: string },
  cacheDir: string,
  codeRevision: string | null,
): Promise<BenchRuns> {
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
      augment: o.augment,
      teacherDim: o.dim,
      audioFeaturesDir: plan.audio ? teachers.audioFeaturesDir : undefined,
      imageTeacher: plan.image ? teachers.image.encoder : undefined,
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
      (folder.finished || folder.diverged !== null) &&
      folder.configChanges?.length === 0 &&
      sameClips(runDirOf(id), runSpecOf(id)) &&
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
      let diverged: ExperimentRow['diverged'] = null;
      const result = await stages.run(
        `train and evaluate ${plan.label} (seed ${seed}, ${o.epochs} epochs; run ${eta.done + 1} of ${runTotal}${eta.startNext()})`,
        async () => {
          const trained = await trainStudentRun({
            ...runSpecOf({ method: name, seed }),
            cacheDir,
            progress: o.progress,
            gitRevision: codeRevision,
            notice: (m) => stages.note(m),
          });
          trained.student.dispose();
          studentInitDigest = trained.studentInitDigest;
          diverged = trained.diverged;
          const evalDir = path.join(runDir, 'eval');
          if (trained.reused && fs.existsSync(path.join(evalDir, 'recognition.json')) && fs.existsSync(path.join(evalDir, 'retrieval.json'))) {
            stages.note('reusing the finished run and its evaluation');
            eta.finished(false);
            const probeFile = path.join(evalDir, 'probe-student.json');
            return {
              recognition: JSON.parse(fs.readFileSync(path.join(evalDir, 'recognition.json'), 'utf8')) as RecognitionResult,
              retrieval: JSON.parse(fs.readFileSync(path.join(evalDir, 'retrieval.json'), 'utf8')) as RetrievalResult,
              probe: fs.existsSync(probeFile) ? (JSON.parse(fs.readFileSync(probeFile, 'utf8')) as ProbeSummary) : null, // evaluated before runs were probed
            };
          }
          const evaluated = await evaluateStudentRun(runDir, manifest, cacheDir, student, () => studentFor(trained.config, manifest.classes.length));
          eta.finished(true);
          return evaluated;
        },
      );
      const finalTrainCe = finalTrainingCrossEntropy(runDir);
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
        probeTop1: result.probe?.top1 ?? null,
        studentInitDigest,
        finalTrainCe,
        atChance: finalTrainCe === null ? null : atChance(finalTrainCe, manifest.classes.length),
        diverged,
      };
      rows.push(row);
      outcomes.push(top1Outcomes(plan.label, seed, result.recognition));
      const divergedNote = row.diverged ? `; diverged at step ${row.diverged.globalStep ?? '?'} (evaluated at the held-out choice before it)` : '';
      stages.note(
        `test top-1 ${(100 * row.top1).toFixed(1)}%, R@1 ${(100 * (row.recall['1'] ?? 0)).toFixed(1)}%${atChanceNote(row, manifest.classes.length)}${divergedNote}`,
      );
    }
  }
  return { rows, outcomes, runDirs, classSplit };
}

/** '; did not learn: ...' after a run whose training cross-entropy ended at chance, else ''. */
function atChanceNote(row: ExperimentRow, numClasses: number): string {
  return row.atChance
    ? `; did not learn: training cross-entropy ${row.finalTrainCe!.toFixed(2)} over its last epoch (chance ln ${numClasses} = ${Math.log(numClasses).toFixed(2)})`
    : '';
}

function subsetAccuracy(r: RecognitionResult, classes: number[]): number | null {
  const vids = r.videos.filter((v) => classes.includes(v.label));
  return vids.length ? vids.filter((v) => v.predicted === v.label).length / vids.length : null;
}

/** Per-video top-1 outcomes (1 correct, 0 wrong) of one run: the bootstrap's input. */
function top1Outcomes(method: string, seed: number, r: RecognitionResult): VideoOutcomes {
  return { method, seed, videoIds: r.videos.map((v) => v.videoId), values: r.videos.map((v) => (v.predicted === v.label ? 1 : 0)) };
}
