import { createRegistry } from '@ccl/base';
import { validate, type Spec } from '../config/validate';

/** A learning-rate schedule: the lr to use during `epoch` (0-based), given the base lr. */
export interface LrSchedule {
  readonly kind: string;
  lrAt(epoch: number, baseLr: number): number;
}

/** The configs of the built-in schedules. */
export type ScheduleConfig =
  { kind: 'constant' } | { kind: 'multistep'; milestones: number[]; gamma?: number } | { kind: 'cosine'; epochs: number; minLr?: number };

/** The config of a user-registered schedule: its kind and the fields it registered. */
export interface CustomScheduleConfig {
  kind: string;
  [field: string]: unknown;
}

export interface ScheduleRegistration {
  /** Replace an existing registration of the same kind instead of throwing. */
  override?: boolean;
  /**
   * The config's fields besides `kind`, each with its spec: an experiment config's `schedule` of this kind is
   * validated against them (an unknown field is refused). Absent: any fields are accepted.
   */
  fields?: Record<string, Spec>;
  /** The fields a config of this kind must have. */
  required?: readonly string[];
}

interface ScheduleEntry {
  factory: (config: any) => LrSchedule;
  /** The spec of a whole config of this kind (`kind` included). */
  spec: Spec;
}

/** The learning-rate schedules by kind; the experiment config accepts exactly these kinds. */
const schedules = createRegistry<ScheduleEntry>('schedule');

/** Adds a schedule kind; throws when the kind is taken, unless `{ override: true }`. */
export function registerSchedule<C extends { kind: string }>(kind: string, factory: (config: C) => LrSchedule, registration: ScheduleRegistration = {}): void {
  const { fields, required = [], override } = registration;
  const spec: Spec =
    fields === undefined
      ? { type: 'record' }
      : { type: 'object', fields: { kind: { type: 'string', oneOf: [kind] }, ...fields }, required: ['kind', ...required] };
  schedules.register(kind, { factory, spec }, { override, optionKeys: fields === undefined ? undefined : ['kind', ...Object.keys(fields)] });
}

/** The registered schedule kinds, sorted. */
export function listSchedules(): string[] {
  return schedules.list();
}

export function createSchedule(config: ScheduleConfig | CustomScheduleConfig): LrSchedule {
  return schedules.get(config.kind).factory(config);
}

/**
 * The problems of a `schedule` config at `path` (empty when valid): its kind must be registered (else the
 * registered kinds are named) and its fields those the kind registered.
 */
export function scheduleConfigProblems(value: unknown, path: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object with a 'kind'`];
  const kind = (value as { kind?: unknown }).kind;
  if (kind === undefined) return [`${path}.kind: required`];
  if (typeof kind !== 'string') return [`${path}.kind: expected a string, got ${typeof kind}`];
  if (!schedules.has(kind)) return [`${path}.kind: ${schedules.unknownMessage(kind)}`];
  return validate(value, schedules.get(kind).spec, path);
}

/** torch's MultiStepLR stepped once per epoch: lr = base * gamma^(number of milestones <= epoch). */
registerSchedule<Extract<ScheduleConfig, { kind: 'multistep' }>>(
  'multistep',
  ({ milestones, gamma = 0.1 }) => ({ kind: 'multistep', lrAt: (epoch, base) => base * gamma ** milestones.filter((m) => m <= epoch).length }),
  { fields: { milestones: { type: 'array', items: { type: 'number', integer: true, min: 0 } }, gamma: { type: 'number', min: 0 } }, required: ['milestones'] },
);

/** torch's CosineAnnealingLR (closed form) over `epochs`: min + (base - min)(1 + cos(pi e / epochs)) / 2. */
registerSchedule<Extract<ScheduleConfig, { kind: 'cosine' }>>(
  'cosine',
  ({ epochs, minLr = 0 }) => ({
    kind: 'cosine',
    lrAt: (epoch, base) => minLr + ((base - minLr) * (1 + Math.cos((Math.PI * Math.min(epoch, epochs)) / epochs))) / 2,
  }),
  { fields: { epochs: { type: 'number', integer: true, min: 1 }, minLr: { type: 'number', min: 0 } }, required: ['epochs'] },
);

registerSchedule('constant', () => ({ kind: 'constant', lrAt: (_e, base) => base }), { fields: {} });
