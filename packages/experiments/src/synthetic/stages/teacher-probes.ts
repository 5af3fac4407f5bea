import type { Manifest, TeacherFeatureSet } from '@ccl/data';
import { readFeatureSet } from '@ccl/data/node';
import { linearProbe, summariseProbe, type ProbeSummary } from '@ccl/eval';
import { extractTeacherFeatures } from '../../features/extract-teacher-features';
import { teacherInput } from '../../features/teacher-inputs';
import type { PretrainedTeacher } from '../../teachers/pretrain';
import type { Stages } from '../stage';

/** What each teacher knows about the video task: its frozen features' linear probe on the video classes. */
export interface TeacherProbes {
  /** The image teacher on the videos' frames (the mean of its features over `frames` evenly spaced frames). */
  image: ProbeSummary;
  /** The audio teacher on the videos' soundtracks (the features the distillation reads). */
  audio: ProbeSummary;
}

/**
 * A linear probe of a features folder on a manifest's train / test split (val videos are left out). A
 * video's feature is the mean of its rows (frames or segments). Videos without a feature (no soundtrack)
 * are left out of the probe, as the distillation leaves them out of its teacher terms.
 */
export function probeFeatureFolder(featuresDir: string, manifest: Manifest): ProbeSummary {
  const set = readFeatureSet(featuresDir, { onWarning: () => undefined });
  const splitOf = new Map(manifest.samples.map((s) => [s.id, s.split]));
  const classIndex = new Map(manifest.classes.map((c, i) => [c, i]));
  const rows = (which: 'train' | 'test') =>
    meanRows(
      set,
      [...set.features.keys()].sort().filter((id) => splitOf.get(id) === which),
      classIndex,
    );
  return summariseProbe(linearProbe({ train: rows('train'), test: rows('test'), numClasses: manifest.classes.length }));
}

/** `[ids, dim]` matrix of each id's feature averaged over its rows, and its class index (in the manifest's class order). */
function meanRows(set: TeacherFeatureSet, ids: string[], classIndex: Map<string, number>) {
  const data = new Float64Array(ids.length * set.dim); // [N, D]
  ids.forEach((id, r) => {
    const f = set.features.get(id)!;
    for (let t = 0; t < f.rows; t++) for (let d = 0; d < set.dim; d++) data[r * set.dim + d]! += f.data[t * set.dim + d]! / f.rows;
  });
  const labels = ids.map((id) => {
    const k = classIndex.get(set.classOf.get(id)!);
    if (k === undefined) throw new Error(`${set.source}: feature '${id}' is of class '${set.classOf.get(id)}', which the manifest does not have`);
    return k;
  });
  return { features: { rows: ids.length, dims: set.dim, data }, labels };
}

/**
 * The regime's diagnostic (docs/benchmark.md): the image teacher's features of every video's frames are
 * extracted (one `.npy` per video, reused), and both teachers' features are probed on the video classes.
 * Distillation can only help where a teacher's probe beats what the student learns alone.
 */
export async function teacherProbesStage(
  stages: Stages,
  manifest: Manifest,
  imageTeacher: PretrainedTeacher,
  paths: { cacheDir: string; imageFeaturesDir: string; audioFeaturesDir: string },
  clip: { frames: number; size: number },
): Promise<TeacherProbes> {
  return stages.run('probe both teachers on the video classes (linear probe, train -> test)', async () => {
    const r = await extractTeacherFeatures({
      samples: manifest.samples,
      cacheDir: paths.cacheDir,
      encoder: imageTeacher.encoder,
      input: teacherInput(imageTeacher.encoder, 'image', clip),
      outDir: paths.imageFeaturesDir,
    });
    if (r.written) stages.note(`image teacher features: ${r.written} written, ${r.reused} reused`);
    const probes = {
      image: probeFeatureFolder(paths.imageFeaturesDir, manifest),
      audio: probeFeatureFolder(paths.audioFeaturesDir, manifest),
    };
    const pct = (p: ProbeSummary) => `${(100 * p.top1).toFixed(1)}% (train ${(100 * p.trainTop1).toFixed(1)}%, ${p.train} -> ${p.test} videos)`;
    stages.note(`image teacher on frames: ${pct(probes.image)}; audio teacher on sound: ${pct(probes.audio)}`);
    return probes;
  });
}
