import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isResolvedExperimentConfig, resolveExperimentConfig, Trainer } from '../src';
import { TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

const raw = {
  method: 'baseline',
  seed: 3,
  student: { encoder: 'tiny' },
  schedule: { kind: 'constant' },
  epochs: 1,
  batchSize: 6,
  validation: { policy: 'none' },
};
const trainer = (config: Record<string, unknown>) =>
  new Trainer({
    config,
    student: new TinyStudent(27, 6, 3),
    numClasses: 3,
    studentDim: 6,
    train: tinySource(6, 3, [2, 3, 3, 3]),
    outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-config-once-')),
    progress: null,
  });

describe('an experiment config is validated once', () => {
  it('the Trainer takes a resolved config as it is, and validates any other object', () => {
    const config = resolveExperimentConfig(raw);
    expect(isResolvedExperimentConfig(config)).toBe(true);
    expect(isResolvedExperimentConfig({ ...config })).toBe(false);
    expect(trainer(config as unknown as Record<string, unknown>).config).toBe(config);
    const fromRaw = trainer(raw).config;
    expect(fromRaw).toEqual(config);
    expect(isResolvedExperimentConfig(fromRaw)).toBe(true);
    expect(() => trainer({ ...raw, epoch: 3 })).toThrow(/invalid experiment config:\n {2}config\.epoch: unknown key \(did you mean 'epochs'\?\)/);
  });
});
