import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeManifest } from '../src';
import { featureRows, featureSplitOf, readFeatureSet, writeManifest, writeNpy } from '../src/node';
import { tempDir } from './helpers';

describe('feature splits and matrices (ccl features probe)', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // UCF101 split 1 tests groups 1-7: g01 is test, g08 train
  const ids = { ApplyEyeMakeup: ['v_ApplyEyeMakeup_g01_c01', 'v_ApplyEyeMakeup_g08_c01'], Archery: ['v_Archery_g02_c03', 'v_Archery_g09_c01'] };
  beforeAll(() => {
    let k = 0;
    for (const [cls, vids] of Object.entries(ids)) {
      fs.mkdirSync(path.join(dir, 'feats', cls), { recursive: true });
      for (const id of vids) {
        k++;
        // (2, 3): two rows; the matrix takes the first
        writeNpy(path.join(dir, 'feats', cls, `${id}.npy`), { dtype: 'float32', shape: [2, 3], data: Float32Array.from([k, k + 0.5, -k, 9, 9, 9]) });
      }
    }
  });

  it('splits UCF101 names by group and builds [rows, dim] matrices with class indices', () => {
    const set = readFeatureSet(path.join(dir, 'feats'));
    const split = featureSplitOf('ucf101:1', [...set.features.keys()]);
    const train = featureRows(set, split, 'train');
    const test = featureRows(set, split, 'test');
    expect(train.labels).toEqual([0, 1]);
    expect(Array.from(train.features.data)).toEqual([2, 2.5, -2, 4, 4.5, -4]);
    expect(test.features).toMatchObject({ rows: 2, dims: 3 });
    expect(Array.from(test.features.data)).toEqual([1, 1.5, -1, 3, 3.5, -3]);
    expect(() => featureSplitOf('ucf101:1', ['clip-7'])).toThrow("feature 'clip-7' is not a UCF101 video name");
  });

  it("takes a manifest's train and test samples (others left out), and refuses what is neither", () => {
    const manifest = makeManifest({
      dataset: 'ucf101',
      root: dir,
      samples: [
        { id: 'v_ApplyEyeMakeup_g01_c01', label: 'ApplyEyeMakeup', split: 'train', video: 'a.avi' },
        { id: 'v_Archery_g02_c03', label: 'Archery', split: 'val', video: 'b.avi' },
        { id: 'v_Archery_g09_c01', label: 'Archery', split: 'test', video: 'c.avi' },
      ],
    });
    writeManifest(path.join(dir, 'manifest.json'), manifest);
    const split = featureSplitOf(path.join(dir, 'manifest.json'), []);
    expect([...split]).toEqual([
      ['v_ApplyEyeMakeup_g01_c01', 'train'],
      ['v_Archery_g09_c01', 'test'],
    ]);
    expect(() => featureSplitOf('ucf101:4', [])).toThrow("split 'ucf101:4': neither ucf101:1|2|3 nor an existing manifest file");
    expect(() => readFeatureSet(path.join(dir, 'missing'))).toThrow(`${path.join(dir, 'missing')}: not found`);
  });
});
