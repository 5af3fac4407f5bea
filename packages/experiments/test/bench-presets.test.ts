import type { Manifest } from '@ccl/data';
import type { TrainableEncoder } from '@ccl/distill';
import { BENCH_PRESETS, benchOptions, describeBenchPresets, MAIN_TABLE_METHODS, METHOD_PLANS, studentRunConfig } from '../src';

const manifest = { classes: ['a', 'b', 'c'], samples: [] } as unknown as Manifest;
const configOf = (label: string) => {
  const plan = METHOD_PLANS[label]!;
  return studentRunConfig({
    method: plan.method,
    label,
    outDir: `/runs/${label}-s1`,
    manifest,
    student: { widthMultiplier: 1 / 8, frames: 8, size: 32, seed: 1 },
    teacherDim: 64,
    audioFeaturesDir: plan.audio ? '/features' : undefined,
    imageTeacher: plan.image ? ({} as TrainableEncoder) : undefined,
    epochs: 30,
    batchSize: 8,
    lr: 0.05,
    extra: plan.extra,
    teacherOptions: plan.teacherOptions,
  });
};

describe('bench synthetic presets', () => {
  it('name only known methods, and the default preset runs the paper table with >= 5 seeds and >= 400 test videos', () => {
    for (const [name, preset] of Object.entries(BENCH_PRESETS)) {
      for (const m of preset.options.methods) expect([name, m, Boolean(METHOD_PLANS[m])]).toEqual([name, m, true]);
    }
    const full = BENCH_PRESETS.full!.options;
    expect(full.methods).toEqual(MAIN_TABLE_METHODS);
    expect(full.seeds.length).toBeGreaterThanOrEqual(5);
    expect(full.classes * full.regime!.testVideosPerClass!).toBeGreaterThanOrEqual(400);
    expect(BENCH_PRESETS['full-small']!.options.regime!.trainVideosPerClass).not.toBe(full.regime!.trainVideosPerClass);
  });

  it('every method plan gives a valid experiment config', () => {
    for (const label of Object.keys(METHOD_PLANS)) expect(() => configOf(label)).not.toThrow();
  });

  it('each ablation changes exactly what its name says against CCL-AI', () => {
    const base = configOf('ccl-ai');
    const diff = (label: string) => {
      const c = configOf(label) as unknown as Record<string, unknown>;
      const b = { ...base, name: c.name } as unknown as Record<string, unknown>;
      return Object.keys({ ...b, ...c })
        .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(c[k]))
        .sort();
    };
    expect(diff('ccl-ai-paper')).toEqual(['method']);
    expect(diff('ccl-ai-no-composition')).toEqual(['cclTerms']);
    expect(configOf('ccl-ai-no-jsd').cclTerms).toEqual({ jsd: false });
    expect(diff('ccl-ai-lw1')).toEqual(['lossWeight']);
    expect(diff('ccl-ai-tau-swapped')).toEqual(['teachers']);
    expect(configOf('ccl-ai-tau-swapped').teachers.map((t) => [t.name, t.temperature])).toEqual([
      ['audio', 0.1],
      ['image', 0.5],
    ]);
    expect(base.teachers.map((t) => [t.name, t.temperature])).toEqual([
      ['audio', 0.5],
      ['image', 0.1],
    ]);
  });
});

describe('benchOptions (ccl bench synthetic --preset with overrides)', () => {
  it("keeps the preset's values unless overridden; seeds N means 1..N", () => {
    const quick = BENCH_PRESETS.quick!.options;
    expect(benchOptions('quick')).toEqual(quick);
    const o = benchOptions('quick', { seeds: 3, methods: ['baseline', 'crd'], epochs: 2, classes: 4, videosPerClass: 5 });
    expect(o).toEqual({ ...quick, seeds: [1, 2, 3], methods: ['baseline', 'crd'], epochs: 2, classes: 4, videosPerClass: 5 });
  });

  it('refuses an unknown preset or method, naming the known ones', () => {
    expect(() => benchOptions('huge')).toThrow(/unknown preset 'huge'; known: quick, full/);
    expect(() => benchOptions('quick', { methods: ['baseline', 'ccl-x'] })).toThrow(/unknown method 'ccl-x'; known: .*ccl-ai/);
    expect(describeBenchPresets()).toContain(`quick: ${BENCH_PRESETS.quick!.description}`);
  });
});
