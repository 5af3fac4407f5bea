import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '../src';
import { readTfjsModel, writeTfjsModel } from '../src/node';
import { disposeDict, maxAbsDiff, randomData } from './helpers';

describe('tfjs model.json export', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-tfjs-model-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips a trained student (state dict + topology) and rebuilds it with identical outputs', async () => {
    const options = { numClasses: 3, widthMultiplier: 1 / 16, seed: 8 };
    const student = createEncoder('r2plus1d-18', options);
    const x = tf.tensor(randomData([2, 2, 8, 8, 3], 3), [2, 2, 8, 8, 3]);
    tf.dispose(student.apply(x, { training: true })); // non-default running stats
    const state = student.stateDict();
    const out = path.join(dir, 'student');
    await writeTfjsModel(out, state, { encoder: 'r2plus1d-18', options });
    const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('conv1.spatial_conv.weight');
    const { dict, topology } = readTfjsModel(out);
    expect(topology).toEqual({ encoder: 'r2plus1d-18', options });
    const rebuilt = createEncoder(topology.encoder as string, topology.options as Record<string, unknown>);
    rebuilt.loadStateDict(dict, { strict: true });
    const a = student.apply(x);
    const b = rebuilt.apply(x);
    expect(maxAbsDiff(a.logits!.dataSync(), b.logits!.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
    disposeDict(state);
    disposeDict(dict);
    student.dispose();
    rebuilt.dispose();
  });

  it('reports missing or truncated weights with the path', async () => {
    const out = path.join(dir, 'broken');
    const w = tf.ones([4, 4]);
    await writeTfjsModel(out, { w });
    fs.writeFileSync(path.join(out, 'weights.bin'), Buffer.alloc(10));
    expect(() => readTfjsModel(out)).toThrow(/broken\/model\.json: weights hold 10 bytes, the manifest needs 64/);
    fs.rmSync(path.join(out, 'weights.bin'));
    expect(() => readTfjsModel(out)).toThrow(/cannot read weights .*weights\.bin/);
    w.dispose();
  });
});
