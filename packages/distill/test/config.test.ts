import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createMethod,
  createSchedule,
  listMethods,
  listSchedules,
  readExperimentConfig,
  registerMethod,
  registerSchedule,
  resolveExperimentConfig,
} from '../src';

describe('experiment config', () => {
  const base = { method: 'ccl', student: { encoder: 'r2plus1d-18' }, teachers: [{ name: 'audio', modality: 'audio', dim: 512 }] };

  it('fills in the reference settings (METHOD §4) and per-modality teacher defaults', () => {
    const c = resolveExperimentConfig({ ...base, teachers: [...base.teachers, { name: 'image', modality: 'image', dim: 512 }] });
    expect(c.optimizer).toEqual({ lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: false });
    expect(c.schedule).toEqual({ kind: 'multistep', milestones: [150, 225], gamma: 0.1 });
    expect([c.epochs, c.batchSize, c.seed, c.jsdWeight]).toEqual([300, 16, 1, 0.5]);
    expect(c.teachers[0]).toMatchObject({ temperature: 0.5, dropMissing: true, input: 'features', composition: 'residual' });
    expect(c.teachers[1]).toMatchObject({ temperature: 0.1, dropMissing: false, input: 'online-frame', framePolicy: 'per-batch' });
  });

  it('refuses a typo naming the key and suggesting the right one', () => {
    expect(() => resolveExperimentConfig({ ...base, optimizer: { lr: 0.1, weightDecy: 1 } })).toThrow(
      /config\.optimizer\.weightDecy: unknown key \(did you mean 'weightDecay'\?\)/,
    );
    expect(() => resolveExperimentConfig({ ...base, batchsize: 8 })).toThrow(/config\.batchsize: unknown key \(did you mean 'batchSize'\?\)/);
  });

  // every method the trainer accepts: the registered ones and the KD baselines of @ccl/losses's registry
  const METHODS = 'at, baseline, ccl, ccl-paper, cmc, cor, crd, fitnet, ifd, pkt, rkd, sp, vid';

  it("refuses method 'kd' when the config is read, saying why and listing every valid method", () => {
    expect(() => resolveExperimentConfig({ ...base, method: 'kd' }, 'runs/kd.json')).toThrow(
      `invalid experiment config: runs/kd.json.method: method 'kd' is not supported: Hinton KD distils teacher logits over the video classes, and no teacher here gives them`,
    );
    expect(() => resolveExperimentConfig({ ...base, method: 'kd' })).toThrow(`; valid methods: ${METHODS}`);
    expect(() => resolveExperimentConfig({ ...base, method: 'cdr' })).toThrow(`config.method: unknown method 'cdr'; valid methods: ${METHODS}`);
  });

  it('listMethods and createMethod agree: every listed method is created, nothing else is', () => {
    expect(listMethods().join(', ')).toBe(METHODS);
    const config = resolveExperimentConfig({ ...base, teachers: [{ name: 'audio', modality: 'audio', dim: 6 }] });
    for (const name of listMethods()) {
      const method = createMethod(name, { config: { ...config, method: name }, numClasses: 3, studentDim: 6, datasetSize: 8 });
      expect(method.name).toBe(name);
      method.dispose();
    }
    for (const name of ['kd', 'nce', 'ce', 'nope']) {
      expect(() => createMethod(name, { config, numClasses: 3, studentDim: 6, datasetSize: 8 })).toThrow(`valid methods: ${METHODS}`);
    }
  });

  it('refuses an unknown key in an options record that feeds a registered factory, naming it', () => {
    expect(() => resolveExperimentConfig({ ...base, student: { encoder: 'r2plus1d-18', options: { widthMultipler: 0.5 } } })).toThrow(
      /config\.student\.options\.widthMultipler: unknown key \(did you mean 'widthMultiplier'\?\)/,
    );
    const image = { name: 'image', modality: 'image', dim: 512, encoder: { name: 'resnet34', options: { normalise: 'imagenet' } } };
    expect(() => resolveExperimentConfig({ ...base, teachers: [image] })).toThrow(
      /config\.teachers\[0\]\.encoder\.options\.normalise: unknown key \(did you mean 'normalize'\?\)/,
    );
    expect(() => resolveExperimentConfig({ ...base, method: 'crd', kdOptions: { numNegative: 16 } })).toThrow(
      /config\.kdOptions\.numNegative: unknown key \(did you mean 'numNegatives'\?\)/,
    );
    expect(() => resolveExperimentConfig({ ...base, method: 'pkt', kdOptions: { embedDim: 64 } })).toThrow(
      /config\.kdOptions\.embedDim: unknown key \(known keys: checkFinite\)/,
    );
    // known keys pass; unregistered encoders are left to createEncoder
    expect(
      resolveExperimentConfig({
        ...base,
        method: 'crd',
        kdOptions: { numNegatives: 16, embedDim: 64 },
        student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 0.5 } },
      }).kdOptions,
    ).toEqual({ numNegatives: 16, embedDim: 64 });
    expect(resolveExperimentConfig({ ...base, student: { encoder: 'my-net', options: { anything: 1 } } }).student.options).toEqual({ anything: 1 });
  });

  it('refuses wrong types and missing fields with their path', () => {
    expect(() => resolveExperimentConfig({ ...base, epochs: '10' })).toThrow(/config\.epochs: expected a number, got string/);
    expect(() => resolveExperimentConfig({ ...base, teachers: [{ name: 'a', modality: 'smell', dim: 3 }] })).toThrow(
      /config\.teachers\[0\]\.modality: 'smell' is not one of audio, image/,
    );
    expect(() => resolveExperimentConfig({ method: 'ccl' })).toThrow(/config\.student: required/);
    expect(() => resolveExperimentConfig({ ...base, teachers: [] })).toThrow(/method 'ccl' needs at least one teacher/);
    expect(() => resolveExperimentConfig({ ...base, schedule: { kind: 'multistep' } })).toThrow(/config\.schedule\.milestones: required/);
  });

  it('the schedule schema accepts exactly the registered schedule kinds, each with its fields', () => {
    expect(listSchedules()).toEqual(['constant', 'cosine', 'multistep']);
    expect(() => resolveExperimentConfig({ ...base, schedule: { kind: 'warmup-linear', epochs: 5 } })).toThrow(
      /config\.schedule\.kind: unknown schedule 'warmup-linear'; registered: constant, cosine, multistep/,
    );
    expect(() => resolveExperimentConfig({ ...base, schedule: { kind: 'cosine', epochs: 5, gamma: 0.1 } })).toThrow(/config\.schedule\.gamma: unknown key/);
    expect(() => resolveExperimentConfig({ ...base, schedule: { kind: 'constant', epochs: 5 } })).toThrow(/config\.schedule\.epochs: unknown key/);
    expect(() => resolveExperimentConfig({ ...base, schedule: { milestones: [1] } })).toThrow(/config\.schedule\.kind: required/);

    registerSchedule<{ kind: string; epochs: number }>(
      'warmup-linear',
      ({ epochs }) => ({ kind: 'warmup-linear', lrAt: (e, lr) => (lr * Math.min(e + 1, epochs)) / epochs }),
      {
        fields: { epochs: { type: 'number', integer: true, min: 1 } },
        required: ['epochs'],
      },
    );
    const c = resolveExperimentConfig({ ...base, schedule: { kind: 'warmup-linear', epochs: 5 } });
    expect(createSchedule(c.schedule).lrAt(0, 1)).toBeCloseTo(0.2, 12);
    expect(() => resolveExperimentConfig({ ...base, schedule: { kind: 'warmup-linear' } })).toThrow(/config\.schedule\.epochs: required/);
    expect(() => registerSchedule('cosine', () => ({ kind: 'cosine', lrAt: () => 0 }))).toThrow(
      /a schedule named 'cosine' is already registered; pass \{ override: true \}/,
    );
    expect(listSchedules()).toEqual(['constant', 'cosine', 'multistep', 'warmup-linear']);
  });

  it('a method name is registered once unless override', () => {
    expect(() => registerMethod('baseline', () => createMethod('baseline', undefined as never))).toThrow(/a method named 'baseline' is already registered/);
  });

  it('reads a JSON or YAML file, naming the file in every error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-config-'));
    const good = path.join(dir, 'ccl-a.json');
    fs.writeFileSync(good, JSON.stringify({ ...base, epochs: 3 }));
    expect(readExperimentConfig(good)).toMatchObject({ method: 'ccl', epochs: 3, batchSize: 16 });
    const typo = path.join(dir, 'typo.json');
    fs.writeFileSync(typo, JSON.stringify({ ...base, optimizer: { lerning_rate: 1 } }));
    expect(() => readExperimentConfig(typo)).toThrow(new RegExp(`${typo.replace(/[.\\/]/g, '\\$&')}\\.optimizer\\.lerning_rate: unknown key`));
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{ "method": ');
    expect(() => readExperimentConfig(broken)).toThrow(/broken\.json: not valid JSON/);
    expect(() => readExperimentConfig(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read experiment config/);
    const yaml = path.join(dir, 'ccl-ai.yaml');
    fs.writeFileSync(
      yaml,
      [
        'method: ccl',
        'epochs: 5',
        'student:',
        '  encoder: r2plus1d-18',
        'teachers:',
        '  - { name: audio, modality: audio, dim: 512 }',
        '  - { name: image, modality: image, dim: 512 }',
        'optimizer:',
        '  lr: 0.01',
      ].join('\n'),
    );
    expect(readExperimentConfig(yaml)).toMatchObject({
      method: 'ccl',
      epochs: 5,
      optimizer: { lr: 0.01, momentum: 0.9 },
      teachers: [{ temperature: 0.5 }, { temperature: 0.1 }],
    });
    const badYaml = path.join(dir, 'bad.yml');
    fs.writeFileSync(badYaml, 'method: ccl\n  student: [');
    expect(() => readExperimentConfig(badYaml)).toThrow(/bad\.yml: not valid YAML/);
    const typoYaml = path.join(dir, 'typo.yml');
    fs.writeFileSync(typoYaml, 'method: baseline\nstudent: { encoder: r2plus1d-18 }\nbatch_size: 8\n');
    expect(() => readExperimentConfig(typoYaml)).toThrow(/typo\.yml\.batch_size: unknown key/);
  });
});
