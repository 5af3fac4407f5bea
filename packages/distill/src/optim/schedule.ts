/** A learning-rate schedule: the lr to use during `epoch` (0-based), given the base lr. */
export interface LrSchedule {
  readonly kind: string;
  lrAt(epoch: number, baseLr: number): number;
}

export type ScheduleConfig =
  | { kind: 'constant' }
  | { kind: 'multistep'; milestones: number[]; gamma?: number }
  | { kind: 'cosine'; epochs: number; minLr?: number };

type ScheduleFactory = (config: ScheduleConfig) => LrSchedule;
const schedules = new Map<string, ScheduleFactory>();

export function registerSchedule(kind: string, factory: ScheduleFactory): void {
  schedules.set(kind, factory);
}

export function createSchedule(config: ScheduleConfig): LrSchedule {
  const f = schedules.get(config.kind);
  if (!f) throw new Error(`unknown schedule '${config.kind}'; known: ${[...schedules.keys()].sort().join(', ')}`);
  return f(config);
}

/** torch's MultiStepLR stepped once per epoch: lr = base * gamma^(number of milestones <= epoch). */
registerSchedule('multistep', (c) => {
  const { milestones, gamma = 0.1 } = c as Extract<ScheduleConfig, { kind: 'multistep' }>;
  return { kind: 'multistep', lrAt: (epoch, base) => base * gamma ** milestones.filter((m) => m <= epoch).length };
});

/** torch's CosineAnnealingLR (closed form) over `epochs`: min + (base - min)(1 + cos(pi e / epochs)) / 2. */
registerSchedule('cosine', (c) => {
  const { epochs, minLr = 0 } = c as Extract<ScheduleConfig, { kind: 'cosine' }>;
  return { kind: 'cosine', lrAt: (epoch, base) => minLr + ((base - minLr) * (1 + Math.cos((Math.PI * Math.min(epoch, epochs)) / epochs))) / 2 };
});

registerSchedule('constant', () => ({ kind: 'constant', lrAt: (_e, base) => base }));
