import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { encoderOptionKeys } from '@ccl/encoders';
import { lossOptionKeys } from '@ccl/losses';
import { checkMethodName } from '../methods';
import { resolveCclTermSwitches, type CclTermSwitches } from '../objectives/ccl';
import { scheduleConfigProblems, type CustomScheduleConfig, type ScheduleConfig } from '../optim/schedule';
import type { SgdOptions } from '../optim/sgd';
import { DEFAULT_COVERAGE_RULE } from '../data/teacher-coverage';
import { validate, type Spec } from './validate';

/** One teacher of an experiment. */
export interface TeacherConfig {
  /** Key of its features in the batches (e.g. `audio`, `image`). */
  name: string;
  modality: 'audio' | 'image';
  /** `features`: precomputed vectors from the data; `online-frame`: an image encoder on a frame of the clip. */
  input: 'features' | 'online-frame';
  /** Size of its feature vector. */
  dim: number;
  /** NCE temperature (reference: 0.5 audio, 0.1 image). */
  temperature: number;
  /** Drop rows without teacher data from the teacher terms (reference: audio yes, image no). */
  dropMissing: boolean;
  /** Composition function from @ccl/compose's registry (default `residual`). */
  composition: string;
  /** For `online-frame`: one random frame per batch (reference) or one per sample. */
  framePolicy: 'per-batch' | 'per-sample';
  /** For `features`: folder of `.npy` files, one folder per class (used by `ccl train`). */
  features?: string;
  /** For `features`: share of training videos that must have a feature (default 0.5). */
  minCoverage: number;
  /** For `features`: below `minCoverage`, `fail` (default) or `warn` and train anyway. */
  lowCoverage: 'fail' | 'warn';
  /**
   * For `online-frame`: teacher-specific input. The frame is taken from the augmented, normalised student
   * clip (reference); `size` resizes it (bilinear) and `mean`/`std` re-normalise it from the clip's
   * statistics (`inputMean`/`inputStd`, default the Kinetics values of METHOD §6) to the teacher's (e.g.
   * ImageNet). Absent: the frame goes to the teacher as it is (the reference behaviour).
   */
  frameTransform?: { size?: number; mean?: number[]; std?: number[]; inputMean?: number[]; inputStd?: number[] };
  /**
   * For `online-frame`: the frozen encoder and its weights (.safetensors or a PyTorch .pth; used by `ccl
   * train`). `name` may be left out when the weights file says which encoder it holds (a teacher written by
   * ccl, or `ccl weights import --encoder`); `options` then override the file's.
   */
  encoder?: { name?: string; options?: Record<string, unknown>; weights?: string };
}

/** Where `ccl train` reads its data: a prepared manifest and its clip cache. */
export interface DataConfig {
  manifest: string;
  cacheDir: string;
  /** Frames per clip (reference 16). */
  frames: number;
  /** Clip size (reference 112). */
  size: number;
}

export interface ExperimentConfig {
  name: string;
  seed: number;
  /** `baseline`, `ccl`, `ccl-paper`, or the name of a loss in @ccl/losses's registry (fitnet, pkt, cor, ...). */
  method: string;
  student: { encoder: string; options: Record<string, unknown> };
  teachers: TeacherConfig[];
  /** Weight of the distillation terms with several teachers (reference AI: 0.5); default 0.5 if >1 teacher else 1. */
  lossWeight?: number;
  /** JSD weight w (reference: 0.5). */
  jsdWeight: number;
  /** lambda of the paper form. */
  lambda: number;
  /**
   * CCL ablations (methods `ccl`, `ccl-paper`): `{ vm, vt, jsd, composition }`, each default true (absent: the
   * reference). `composition: false` removes the composition module and implies vm and jsd off (refused
   * with either set to true). The formula of each combination: `cclMethod`'s doc comment.
   */
  cclTerms?: CclTermSwitches;
  /** Options passed to KD losses' factories (besides dims). */
  kdOptions: Record<string, unknown>;
  /** Weight of a KD baseline's loss. */
  kdWeight: number;
  optimizer: Required<Omit<SgdOptions, 'fused'>>;
  schedule: ScheduleConfig | CustomScheduleConfig;
  epochs: number;
  batchSize: number;
  clipGradNorm?: number;
  /** Non-finite loss: `error` stops with a clear message (default), `skip` skips the update, `off` applies it (reference). */
  nanGuard: 'error' | 'skip' | 'off';
  /** Write a checkpoint every N epochs (and at the end). */
  checkpointEvery: number;
  /** Also write one every N steps (0: never); lets a killed run resume mid-epoch. */
  checkpointEverySteps: number;
  validation: { policy: 'held-out' | 'test' | 'none'; every: number; clips: number };
  /** Data of a file-driven run (`ccl train --config`); programmatic runs pass sample sources instead. */
  data?: DataConfig;
}

/** The reference settings (METHOD §4, §6): the defaults of every experiment. */
export const REFERENCE_DEFAULTS: Omit<ExperimentConfig, 'method' | 'student' | 'teachers'> = {
  name: 'run',
  seed: 1,
  jsdWeight: 0.5,
  lambda: 0.5,
  kdOptions: {},
  kdWeight: 1,
  optimizer: { lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: false },
  schedule: { kind: 'multistep', milestones: [150, 225], gamma: 0.1 },
  epochs: 300,
  batchSize: 16,
  nanGuard: 'error',
  checkpointEvery: 1,
  checkpointEverySteps: 0,
  validation: { policy: 'held-out', every: 1, clips: 3 },
};

const num = (o: Partial<Extract<Spec, { type: 'number' }>> = {}): Spec => ({ type: 'number', ...o });
const str = (oneOf?: readonly string[]): Spec => ({ type: 'string', oneOf });
const obj = (fields: Record<string, Spec>, required: string[] = []): Spec => ({ type: 'object', fields, required });

const teacherSpec = obj(
  {
    name: str(),
    modality: str(['audio', 'image']),
    input: str(['features', 'online-frame']),
    dim: num({ integer: true, min: 1 }),
    temperature: num({ min: 1e-6 }),
    dropMissing: { type: 'boolean' },
    composition: str(),
    framePolicy: str(['per-batch', 'per-sample']),
    features: str(),
    minCoverage: num({ min: 0, max: 1 }),
    lowCoverage: str(['fail', 'warn']),
    encoder: obj({ name: str(), options: { type: 'record' }, weights: str() }),
    frameTransform: obj({
      size: num({ integer: true, min: 1 }),
      mean: { type: 'array', items: num() },
      std: { type: 'array', items: num({ min: 1e-12 }) },
      inputMean: { type: 'array', items: num() },
      inputStd: { type: 'array', items: num({ min: 1e-12 }) },
    }),
  },
  ['name', 'modality', 'dim'],
);

export const EXPERIMENT_SPEC: Spec = obj(
  {
    name: str(),
    seed: num({ integer: true }),
    method: str(),
    student: obj({ encoder: str(), options: { type: 'record' } }, ['encoder']),
    teachers: { type: 'array', items: teacherSpec },
    lossWeight: num({ min: 0 }),
    jsdWeight: num({ min: 0 }),
    lambda: num({ min: 0, max: 1 }),
    cclTerms: obj({ vm: { type: 'boolean' }, vt: { type: 'boolean' }, jsd: { type: 'boolean' }, composition: { type: 'boolean' } }),
    kdOptions: { type: 'record' },
    kdWeight: num({ min: 0 }),
    optimizer: obj({ lr: num({ min: 0 }), momentum: num({ min: 0 }), dampening: num({ min: 0 }), weightDecay: num({ min: 0 }), nesterov: { type: 'boolean' } }),
    schedule: { type: 'check', check: scheduleConfigProblems }, // the kinds of the schedule registry, each with its fields
    epochs: num({ integer: true, min: 1 }),
    batchSize: num({ integer: true, min: 1 }),
    clipGradNorm: num({ min: 0 }),
    nanGuard: str(['error', 'skip', 'off']),
    checkpointEvery: num({ integer: true, min: 1 }),
    checkpointEverySteps: num({ integer: true, min: 0 }),
    validation: obj({ policy: str(['held-out', 'test', 'none']), every: num({ integer: true, min: 1 }), clips: num({ integer: true, min: 1 }) }),
    data: obj({ manifest: str(), cacheDir: str(), frames: num({ integer: true, min: 1 }), size: num({ integer: true, min: 1 }) }, [
      'manifest',
      'cacheDir',
      'frames',
      'size',
    ]),
  },
  ['method', 'student'],
);

const TEACHER_DEFAULTS = {
  audio: { input: 'features', temperature: 0.5, dropMissing: true },
  image: { input: 'online-frame', temperature: 0.1, dropMissing: false },
} as const;

/**
 * The options records that feed a registered factory, checked against the keys it declares: student and
 * teacher encoder options (@ccl/encoders), kdOptions of a KD method (@ccl/losses). Unregistered names and
 * factories that declare no keys are not checked here.
 */
function factoryOptionProblems(r: Partial<ExperimentConfig> & { teachers?: Partial<TeacherConfig>[] }, source: string): string[] {
  const check = (options: unknown, known: readonly string[] | undefined, path: string) =>
    options === undefined || known === undefined ? [] : validate(options, { type: 'record', keys: known }, path);
  return [
    ...check(r.student?.options, encoderOptionKeys(r.student!.encoder), `${source}.student.options`),
    ...(r.teachers ?? []).flatMap((t, i) =>
      t.encoder?.name ? check(t.encoder.options, encoderOptionKeys(t.encoder.name), `${source}.teachers[${i}].encoder.options`) : [],
    ),
    ...check(r.kdOptions, lossOptionKeys(r.method!), `${source}.kdOptions`),
  ];
}

/** The configs resolveExperimentConfig returned: validated once, taken as they are by the Trainer. */
const RESOLVED = new WeakSet<object>();

/** Whether `config` is a config resolveExperimentConfig (or readExperimentConfig) returned, so already validated. */
export function isResolvedExperimentConfig(config: unknown): config is ExperimentConfig {
  return typeof config === 'object' && config !== null && RESOLVED.has(config);
}

/**
 * Validates a user config (object parsed from JSON/YAML) and fills in the reference defaults. The result is
 * remembered as validated: a Trainer given it does not validate it again (resolving is idempotent).
 */
export function resolveExperimentConfig(raw: unknown, source = 'config'): ExperimentConfig {
  const structural = validate(raw, EXPERIMENT_SPEC, source);
  const problems = structural.length ? structural : factoryOptionProblems(raw as Partial<ExperimentConfig>, source);
  if (problems.length) throw new Error(`invalid experiment config:\n  ${problems.join('\n  ')}`);
  const r = raw as Partial<ExperimentConfig> & { teachers?: Partial<TeacherConfig>[] };
  try {
    resolveCclTermSwitches(r.cclTerms);
  } catch (err) {
    throw new Error(`invalid experiment config: ${source}.cclTerms: ${(err as Error).message}`);
  }
  const teachers = (r.teachers ?? []).map(
    (t) => Object.assign({ composition: 'residual', framePolicy: 'per-batch', ...DEFAULT_COVERAGE_RULE }, TEACHER_DEFAULTS[t.modality!], t) as TeacherConfig,
  );
  const names = new Set<string>();
  for (const t of teachers) {
    if (names.has(t.name)) throw new Error(`invalid experiment config: ${source}.teachers: two teachers are named '${t.name}'`);
    names.add(t.name);
  }
  const config: ExperimentConfig = {
    ...REFERENCE_DEFAULTS,
    ...r,
    student: Object.assign({ options: {} }, r.student!),
    teachers,
    optimizer: { ...REFERENCE_DEFAULTS.optimizer, ...r.optimizer },
    validation: { ...REFERENCE_DEFAULTS.validation, ...r.validation },
    method: r.method!,
  };
  try {
    checkMethodName(config.method);
  } catch (err) {
    throw new Error(`invalid experiment config: ${source}.method: ${(err as Error).message}`);
  }
  if (config.method !== 'baseline' && teachers.length === 0) {
    throw new Error(`invalid experiment config: ${source}.teachers: method '${config.method}' needs at least one teacher`);
  }
  RESOLVED.add(config);
  return config;
}

/**
 * Reads an experiment config from a JSON or YAML (`.yaml`, `.yml`) file: parse errors and every schema problem name the file
 * (e.g. `runs/a.json.optimizer.weightDecy: unknown key (did you mean 'weightDecay'?)`).
 */
export function readExperimentConfig(file: string): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read experiment config: ${(err as Error).message}`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return resolveExperimentConfig(raw, file);
}
