import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveExperimentConfig, saveCheckpoint } from '@ccl/distill';
import { studentFor } from '@ccl/experiments';
import { ccl } from './helpers/run-cli';

describe('ccl export', () => {
  it("writes a run's student for the web app; a run without a clip record needs --frames/--size; bad input is one line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-export-cli-'));
    const config = { method: 'baseline', student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16, numClasses: 2 } }, teachers: [] };
    const student = studentFor(resolveExperimentConfig(config, 'run.json'), 2);
    const dict = student.stateDict();
    fs.mkdirSync(path.join(dir, 'checkpoints'));
    saveCheckpoint(path.join(dir, 'checkpoints', 'best.ckpt'), Object.fromEntries(Object.entries(dict).map(([k, t]) => [`student.${k}`, t])), {
      format: 'ccl-checkpoint/1',
      architecture: 'r2plus1d-18',
      epoch: 1,
      stepInEpoch: 0,
      globalStep: 2,
      bestMetric: null,
      config,
    });
    tf.dispose(Object.values(dict));
    student.dispose();
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ config, classes: ['left', 'right'] }));
    const out = path.join(dir, 'web');

    const noClip = await ccl('export', '--run', dir, '--out', out);
    expect(noClip.code).toBe(1);
    expect(noClip.err.trim()).toMatch(/^ccl: \S+run\.json: records no clip frames and size .*--frames N --size N\)$/);
    const done = await ccl('export', '--run', dir, '--out', out, '--frames', '8', '--size', '32');
    expect(done.code).toBe(0);
    expect(done.out).toContain(`wrote ${path.join(out, 'student.safetensors')}`);
    expect(done.out).toMatch(/r2plus1d-18, 2 classes, clips of 8 frames at 32x32/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'student.json'), 'utf8'))).toMatchObject({ classes: ['left', 'right'], clip: { frames: 8, size: 32 } });

    expect((await ccl('export', '--run', dir, '--out', out, '--frames', '0')).code).toBe(2);
    expect((await ccl('export', '--run', dir)).err).toMatch(/required option '--out <dir>'/);
    const missing = await ccl('export', '--run', path.join(dir, 'nope'), '--out', out);
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toMatch(/^ccl: \S+nope\/run\.json: not found \(is \S+ a run folder\?\)$/);

    // a folder of the user's: refused in one line, untouched; --force writes the two files and nothing else
    const site = path.join(dir, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'student.json'), 'mine');
    const refused = await ccl('export', '--run', dir, '--out', site, '--frames', '8', '--size', '32');
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toBe(
      `ccl: ${site}: is not empty and not written by ccl export (student.json); choose an empty or new folder, or pass --force to write into it (files of the same names are replaced, nothing else is removed)`,
    );
    expect(fs.readdirSync(site)).toEqual(['student.json']);
    expect((await ccl('export', '--run', dir, '--out', site, '--frames', '8', '--size', '32', '--force')).code).toBe(0);
    expect(fs.readdirSync(site).sort()).toEqual(['.ccl-output.json', 'student.json', 'student.safetensors']);
  });
});
