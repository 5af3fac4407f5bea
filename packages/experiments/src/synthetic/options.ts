import type { SyntheticAVOptions } from '@ccl/data/media';
import type { RunFolderState } from '@ccl/distill';
import type { StudentSpec, TrainAugment } from './student-run';

export interface SyntheticExperimentOptions {
  workDir: string;
  /** The runs' seeds: each seeds a student's initialisation and batch order (one run per method and seed). */
  seeds: number[];
  /**
   * The seed of what every run shares: the synthesised data, the held-out split, the teachers (default: the
   * first of `seeds`). A preset pins it (benchOptions), so that a part of a bench with other seeds works on
   * the bench's data and teachers (mergeBenchFiles).
   */
  dataSeed?: number;
  methods: string[];
  classes: number;
  videosPerClass: number;
  epochs: number;
  batchSize: number;
  lr: number;
  student: Omit<StudentSpec, 'seed'>;
  /** The students' training crops (default TRAIN_AUGMENT: 0.5-1 of the frame). */
  augment?: TrainAugment;
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
   * Share of each class's labelled videos held out to choose the checkpoint (default 0.15, at least one
   * video per class): a larger share makes the choice less noisy and leaves fewer videos to train on.
   */
  validationFraction?: number;
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

/** The seed of the stages every run shares (data, split, teachers): `dataSeed`, else the first of `seeds`. */
export function sharedSeed(o: Pick<SyntheticExperimentOptions, 'seeds' | 'dataSeed'>): number {
  const seed = o.dataSeed ?? o.seeds[0];
  if (seed === undefined) throw new Error('a synthetic experiment needs at least one seed');
  return seed;
}

/** One run of the benchmark: a method (a METHOD_PLANS name) and a seed. */
export interface BenchRunId {
  method: string;
  seed: number;
}

/** The generator options a benchmark regime may set. */
export type SyntheticRegime = Pick<
  SyntheticAVOptions,
  | 'trainVideosPerClass'
  | 'testVideosPerClass'
  | 'sourceConcepts'
  | 'unrelatedAudio'
  | 'soundStepsPerOctave'
  | 'pixelNoise'
  | 'correspondence'
  | 'weakProbability'
  | 'imagesPerAppearance'
  | 'clipsPerSound'
  | 'nuisance'
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

/** One run's results in the benchmark's table and bench.json. */
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
  /** Test top-1 of a linear probe of the student's features (train -> test videos), as the teachers' probes; null if not measured. */
  probeTop1: number | null;
  /** The student's weights before training (see stateDigest): equal for every method of a seed. */
  studentInitDigest: string;
  /** The student's training cross-entropy averaged over its last epoch (finalTrainingCrossEntropy); null if not logged. */
  finalTrainCe: number | null;
  /** Whether finalTrainCe is at chance (atChance: at least 90% of ln C): the student learned nothing; null if not logged. */
  atChance: boolean | null;
  /**
   * Where the run diverged (a non-finite loss or gradient stopped it; 0-based epoch and step, the global
   * step), else null. Its numbers are those of the checkpoint chosen on the held-out split before it.
   */
  diverged: RunFolderState['diverged'];
}
