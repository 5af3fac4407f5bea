import * as fs from 'node:fs';
import * as path from 'node:path';
import { readExperimentConfig } from '@ccl/distill';

/** The paper's UCF51 runs shipped in configs/ are valid experiment files with the reference settings. */
describe('shipped configs', () => {
  const dir = path.join(__dirname, '..', 'configs');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('exist for baseline, CCL-A, CCL-I and CCL-AI', () => {
    expect(files.sort()).toEqual(['ucf51-baseline.json', 'ucf51-ccl-a.json', 'ucf51-ccl-ai.json', 'ucf51-ccl-i.json']);
  });

  it.each(files)('%s validates and keeps the reference optimisation (METHOD §4)', (f) => {
    const c = readExperimentConfig(path.join(dir, f));
    expect(c.optimizer).toEqual({ lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: false });
    expect(c.schedule).toEqual({ kind: 'multistep', milestones: [150, 225], gamma: 0.1 });
    expect([c.epochs, c.batchSize, c.seed]).toEqual([300, 16, 1]);
    expect(c.data).toMatchObject({ frames: 16, size: 112 });
    for (const t of c.teachers) expect(t.temperature).toBe(t.modality === 'audio' ? 0.5 : 0.1);
    if (f.includes('ccl-ai')) expect(c.lossWeight).toBe(0.5);
  });
});
