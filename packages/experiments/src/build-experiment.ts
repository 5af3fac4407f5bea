import * as path from 'node:path';
import type { TeacherFeatureSet, Manifest, TrainClipOptions } from '@ccl/data';
import { readFeaturesFolder, readManifest } from '@ccl/data/node';
import { clipCacheSource, type DataConfig, type ExperimentConfig, type TrainableEncoder, type TrainerOptions } from '@ccl/distill';
import { createEncoder, encoderOptionKeys, type Encoder } from '@ccl/encoders';
import { loadWeights, weightsEncoderSpec } from './load-encoder';

/**
 * The config's student, initialised from the config's seed (unless its options give one): two runs of one
 * config start from the same weights, as the reference's seeded runs do.
 */
export function studentFor(config: ExperimentConfig, numClasses: number): Encoder {
  const seeded = encoderOptionKeys(config.student.encoder)?.includes('seed') && config.student.options.seed === undefined;
  return createEncoder(config.student.encoder, { ...(seeded ? { seed: config.seed } : {}), ...config.student.options, numClasses });
}

/** The config's `data` section, or an error naming the config's file. */
export function dataOf(config: ExperimentConfig, source: string): DataConfig {
  if (!config.data) throw new Error(`${source}: needs a "data" section { manifest, cacheDir, frames, size } (a manifest prepared into a clip cache)`);
  return config.data;
}

/**
 * What a programmatic run hands over instead of naming it in the config (the demo and the benchmark keep
 * their run.json configs free of paths): each given part replaces the config's.
 */
export interface ExperimentResources {
  /** The data itself, instead of the config's `data` section. */
  data?: { manifest: Manifest; cacheDir: string; frames: number; size: number };
  /** The student, already created by {@link studentFor} from this config. */
  student?: Encoder;
  /** Features folders by teacher name, instead of the teachers' `features`. */
  featuresDirs?: Record<string, string>;
  /** Online teachers already loaded, by name, instead of the teachers' `encoder` + `weights`. */
  onlineTeachers?: Record<string, TrainableEncoder>;
  /** Training augmentation (default: the reference's, see clipCacheSource). */
  augment?: Omit<TrainClipOptions, 'frames' | 'size'>;
  /** Where teacher-coverage warnings go (default console.warn). */
  onWarning?: (message: string) => void;
  /** Names the config in error messages (e.g. its file); default 'config'. */
  source?: string;
}

/** Everything of an experiment a Trainer needs besides its run folder, and the manifest it reads. */
export interface Experiment {
  manifest: Manifest;
  student: Encoder;
  trainer: Pick<TrainerOptions, 'student' | 'numClasses' | 'studentDim' | 'train' | 'validation' | 'onlineTeachers'> & { config: ExperimentConfig };
}

/**
 * Turns a validated experiment config into a Trainer's inputs: the manifest, the student (studentFor), the
 * teachers' precomputed features and online encoders (with their weights), and the training and validation
 * sources over the clip cache (validation per `config.validation.policy`). Relative paths of the config are
 * relative to `baseDir` (for a config file: its folder).
 */
export function buildExperiment(config: ExperimentConfig, baseDir: string, resources: ExperimentResources = {}): Experiment {
  const source = resources.source ?? 'config';
  const at = (p: string) => path.resolve(baseDir, p);
  const data =
    resources.data ??
    (() => {
      const d = dataOf(config, source);
      return { manifest: readManifest(at(d.manifest)), cacheDir: at(d.cacheDir), frames: d.frames, size: d.size };
    })();
  const { manifest } = data;
  const numClasses = manifest.classes.length;
  const student = resources.student ?? studentFor(config, numClasses);
  const features: Record<string, TeacherFeatureSet> = {};
  const online: Record<string, TrainableEncoder> = {};
  for (const t of config.teachers) {
    if (t.input === 'features') {
      const dir = resources.featuresDirs?.[t.name] ?? (t.features ? at(t.features) : undefined);
      if (!dir) throw new Error(`${source}: teacher '${t.name}' reads precomputed features but has no "features" folder`);
      features[t.name] = readFeaturesFolder(dir, { dim: t.dim });
    } else {
      const given = resources.onlineTeachers?.[t.name];
      if (given) {
        online[t.name] = given;
        continue;
      }
      if (!t.encoder) throw new Error(`${source}: teacher '${t.name}' runs online but has no "encoder" { name, options, weights }`);
      const weights = t.encoder.weights ? at(t.encoder.weights) : undefined;
      const spec = weightsEncoderSpec(weights, t.encoder, `${source}: teacher '${t.name}'`); // a weights file that says what it is needs no name
      const enc = createEncoder(spec.encoder, spec.options);
      if (weights) loadWeights(enc, weights);
      online[t.name] = enc.eval();
    }
  }
  const coverage = Object.fromEntries(config.teachers.map((t) => [t.name, { minCoverage: t.minCoverage, lowCoverage: t.lowCoverage }]));
  const clips = (split: 'train' | 'val' | 'test') =>
    clipCacheSource({
      manifest,
      cacheDir: data.cacheDir,
      split,
      frames: data.frames,
      size: data.size,
      features,
      coverage,
      onWarning: resources.onWarning,
      ...(resources.augment ? { augment: resources.augment } : {}),
    });
  const policy = config.validation.policy;
  return {
    manifest,
    student,
    trainer: {
      config,
      student,
      numClasses,
      studentDim: student.featureDim,
      train: clips('train'),
      validation: policy === 'held-out' ? clips('val') : policy === 'test' ? clips('test') : undefined,
      onlineTeachers: online,
    },
  };
}
