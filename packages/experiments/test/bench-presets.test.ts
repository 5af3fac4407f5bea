import type { Manifest } from '@ccl/data';
import type { TrainableEncoder } from '@ccl/distill';
import {
  BENCH_PRESETS,
  benchOptions,
  benchWorkerArgv,
  describeBenchPresets,
  parseBenchSeeds,
  MAIN_TABLE_METHODS,
  METHOD_PLANS,
  POSITIVE_CONTROL,
  studentRunConfig,
} from '../src';

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

/** A preset's options without its methods. */
const rest = ({ methods: _methods, ...options }: (typeof BENCH_PRESETS)[string]['options']) => options;

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

  it('the transfer regime: colour a nuisance, the image teacher on 3,600 stills, 20 labelled videos per class; its control and ablations differ from full only in their methods', () => {
    const full = BENCH_PRESETS.full!.options;
    expect(full.regime).toMatchObject({ trainVideosPerClass: 20, nuisance: { colour: 'random' }, sourceConcepts: { images: 12 }, imagesPerAppearance: 300 });
    // round 3, whose control passed: round 2's data and students, 150 epochs; rounds 4 and 5: 4-frame clips, 50 epochs
    expect(full).toMatchObject({ epochs: 150, student: { frames: 8, size: 32, widthMultiplier: 1 / 8 } });
    expect(full.augment).toBeUndefined();
    expect(rest(BENCH_PRESETS['control-round-3']!.options)).toEqual(rest(full));
    const round4 = rest(BENCH_PRESETS['control-round-4']!.options);
    expect(round4).toEqual({ ...rest(full), epochs: 50, student: { ...full.student, frames: 4 }, augment: { scale: [0.8, 1] } });
    expect(rest(BENCH_PRESETS['control-round-5']!.options)).toEqual({ ...round4, augment: { scale: [1, 1] } });
    expect(BENCH_PRESETS['control-round-1']!.options).toMatchObject({ epochs: 150, regime: { trainVideosPerClass: 8, imagesPerAppearance: 150 } });
    // the earlier rounds as they were measured: 8-frame clips, the default crops, round 2's data
    const round2 = BENCH_PRESETS['control-round-2']!.options;
    expect([round2.epochs, round2.student.frames, round2.augment]).toEqual([60, 8, undefined]);
    expect(round2.regime).toEqual(full.regime);
    expect(BENCH_PRESETS['control-round-3']!.options).toEqual({ ...round2, epochs: 150 });
    expect(BENCH_PRESETS['full-small']!.options).toMatchObject({ epochs: 360, regime: { trainVideosPerClass: 8 } });
    expect(full.regime!.sourceConcepts!.images! * full.regime!.imagesPerAppearance!).toBeGreaterThanOrEqual(
      10 * full.classes * full.regime!.trainVideosPerClass!,
    );
    expect(full.validationFraction).toBe(0.25);
    const { methods: controlMethods, ...control } = BENCH_PRESETS.control!.options;
    const { methods: ablationMethods, ...ablations } = BENCH_PRESETS.ablations!.options;
    expect(control).toEqual(rest(full));
    expect(ablations).toEqual(rest(full));
    expect(controlMethods).toEqual(['baseline', POSITIVE_CONTROL]);
    expect(ablationMethods).toEqual(expect.arrayContaining(['baseline', 'ccl-ai']));
  });

  it('keeps the paper-like regime of the 2026-12-01 tables as it was measured', () => {
    const old = BENCH_PRESETS['paper-like']!.options;
    expect(old.methods).toEqual(MAIN_TABLE_METHODS);
    expect([old.epochs, old.validationFraction, old.seeds.length]).toEqual([60, undefined, 5]);
    expect(old.regime).toEqual({
      trainVideosPerClass: 10,
      testVideosPerClass: 40,
      unrelatedAudio: 'consistent',
      soundStepsPerOctave: 12,
      sourceConcepts: { images: 24, sounds: 30 },
      imagesPerAppearance: 12,
      clipsPerSound: 10,
    });
    expect(BENCH_PRESETS['paper-like-small']!.options).toMatchObject({ epochs: 100, regime: { ...old.regime, trainVideosPerClass: 5 } });
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
    expect(benchOptions('quick')).toEqual({ ...quick, dataSeed: 1 });
    const o = benchOptions('quick', { seeds: 3, methods: ['baseline', 'crd'], epochs: 2, classes: 4, videosPerClass: 5 });
    expect(o).toEqual({ ...quick, dataSeed: 1, seeds: [1, 2, 3], methods: ['baseline', 'crd'], epochs: 2, classes: 4, videosPerClass: 5 });
  });

  it('seeds given as a list run those seeds (a part of a bench); an empty, repeated or non-positive list is refused', () => {
    expect(benchOptions('full-small', { seeds: [4, 5] }).seeds).toEqual([4, 5]);
    expect(benchOptions('full-small', { seeds: [3] })).toMatchObject({ seeds: [3], dataSeed: 1 }); // the bench's data and teachers, not seed 3's
    for (const seeds of [[], [2, 2], [0], [1.5]])
      expect(() => benchOptions('quick', { seeds })).toThrow(/seeds must be a count >= 1 or distinct integers >= 1/);
  });

  it("a worker's argv repeats every choice, the preset's methods spelled out, and reads back as the same seeds", () => {
    const inv = { preset: 'full-small', workDir: '/w', backend: 'wasm', jobs: 2, epochs: 3 };
    for (const seeds of [[4], [2, 5], 3]) {
      const argv = benchWorkerArgv('ccl.js', { ...inv, seeds });
      expect(argv.slice(0, 11)).toEqual(['ccl.js', 'bench', 'synthetic', '--preset', 'full-small', '--work', '/w', '--backend', 'wasm', '--jobs', '1']);
      expect(argv[argv.indexOf('--methods') + 1]).toBe(BENCH_PRESETS['full-small']!.options.methods.join(','));
      expect(argv[argv.indexOf('--epochs') + 1]).toBe('3');
      expect(parseBenchSeeds(argv[argv.indexOf('--seeds') + 1]!)).toEqual(seeds);
    }
    expect(benchWorkerArgv('ccl.js', inv)).not.toContain('--seeds');
  });

  it('refuses an unknown preset or method, naming the known ones', () => {
    expect(() => benchOptions('huge')).toThrow(/unknown preset 'huge'; known: quick, full/);
    expect(() => benchOptions('quick', { methods: ['baseline', 'ccl-x'] })).toThrow(/unknown method 'ccl-x'; known: .*ccl-ai/);
    expect(describeBenchPresets()).toContain(`quick: ${BENCH_PRESETS.quick!.description}`);
  });
});
