import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BootstrapComparison } from '@ccl/eval';
import { gitRevision } from '../provenance';
import type { ExperimentRow, SyntheticExperimentOptions } from './options';
import type { AblationComparison } from './ablations';
import type { BestKdComparison } from './best-kd';
import { Stages } from './stage';
import { prepareCacheStage } from './stages/prepare-cache';
import { reportStage } from './stages/report';
import { trainAndEvaluateStage } from './stages/runs';
import { synthesiseStage } from './stages/synthesise';
import { teacherProbesStage, type TeacherProbes } from './stages/teacher-probes';
import { extractAudioFeaturesStage, pretrainTeachersStage } from './stages/teachers';

export { checkSameStudentPerSeed } from './stages/report';

/**
 * The synthetic audio-visual distillation experiment, end to end: synthesise real mp4 files, probe and
 * cache them, pre-train the image and audio teachers on their own source tasks, extract the audio
 * features, train every method (reusing finished runs), evaluate recognition and retrieval, write the
 * report. Every stage reuses what an earlier run left (one module per stage: ./stages).
 */
export async function runSyntheticExperiment(o: SyntheticExperimentOptions): Promise<{
  rows: ExperimentRow[];
  reportDir: string;
  comparison: BootstrapComparison | null;
  bestKd: BestKdComparison | null;
  ablations: AblationComparison | null;
  benchFile: string;
  teacherProbes: TeacherProbes | null;
}> {
  const stages = new Stages(o.out);
  const codeRevision = gitRevision(); // at the start: the code that runs, even if the checkout moves on during a long bench
  const dataDir = path.join(o.workDir, 'data');
  const cacheDir = path.join(o.workDir, 'cache');
  const featuresDir = path.join(o.workDir, 'features', 'audio-cnn14');
  const reportDir = path.join(o.workDir, 'report');

  const synth = await synthesiseStage(stages, o, dataDir);
  const preparedFile = path.join(o.workDir, 'manifest.prepared.json');
  const manifest = await prepareCacheStage(stages, o, synth, { cacheDir, preparedFile });
  const teachers = await pretrainTeachersStage(stages, o, synth, dataDir);
  await extractAudioFeaturesStage(stages, manifest, synth, teachers.audio, { cacheDir, featuresDir });
  teachers.audio.encoder.dispose();
  const teacherProbes = o.only
    ? null
    : await teacherProbesStage(
        stages,
        manifest,
        teachers.image,
        { cacheDir, imageFeaturesDir: path.join(o.workDir, 'features', 'image-resnet18'), audioFeaturesDir: featuresDir },
        { frames: o.student.frames, size: o.student.size },
      );
  const runs = await trainAndEvaluateStage(stages, o, manifest, { image: teachers.image, audioFeaturesDir: featuresDir }, cacheDir, codeRevision);
  teachers.image.encoder.dispose();
  if (o.only) {
    if (runs.rows.length === 0)
      throw new Error(`no run ${o.only.method} with seed ${o.only.seed} in this bench (seeds ${o.seeds.join(', ')}; methods ${o.methods.join(', ')})`);
    return { rows: runs.rows, reportDir, comparison: null, bestKd: null, ablations: null, benchFile: path.join(reportDir, 'bench.json'), teacherProbes };
  }
  const { comparison, bestKd, ablations, benchFile } = await reportStage(stages, o, runs, reportDir, { codeRevision, teacherProbes });
  stages.note(`total ${stages.elapsed().toFixed(0)} s`);
  tf.disposeVariables();
  return { rows: runs.rows, reportDir, comparison, bestKd, ablations, benchFile, teacherProbes };
}
