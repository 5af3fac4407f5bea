import * as fs from 'node:fs';
import * as path from 'node:path';
import { samplesOfSplit, ucfSplitOfGroup, parseUcfVideoName } from '../src';
import { buildUcf51FromFeatures, extractTarGz, readFeaturesArchive, readFeaturesFolder } from '../src/node';
import { FIXTURES, tempDir } from './helpers';

const ARCHIVE = path.join(FIXTURES, 'ucf101-audiocnn14embed512.tar.gz');

describe('released UCF51 audio features (real data)', () => {
  const warnings: string[] = [];
  const set = readFeaturesArchive(ARCHIVE, { dim: 512, onWarning: (m) => warnings.push(m) });

  it('holds 6,837 float32 512-d vectors over 51 classes, macOS entries skipped with a warning', () => {
    expect(set.features.size).toBe(6837);
    expect(set.classes).toHaveLength(51);
    expect(set.dim).toBe(512);
    expect(warnings).toEqual([expect.stringMatching(/skipping macOS metadata entry '\._audiocnn14embed512_features'/)]);
    for (const f of set.features.values()) {
      expect(f.rows).toBe(1);
      expect(f.data.length).toBe(512);
    }
    // Cnn14 embeddings are ReLU outputs (METHOD §1): non-negative.
    const first = set.features.get('v_CricketBowling_g22_c02')!;
    expect(first.data[1]).toBeCloseTo(1.0410922, 6);
    expect(first.data.every((v) => v >= 0)).toBe(true);
  });

  it('splits 4,893 train / 1,944 test under UCF101 split 1 (test = g01-g07)', () => {
    let train = 0;
    let test = 0;
    for (const id of set.features.keys()) {
      const name = parseUcfVideoName(id);
      expect(name).not.toBeNull();
      if (ucfSplitOfGroup(name!.group, 1) === 'test') test++;
      else train++;
    }
    expect({ train, test }).toEqual({ train: 4893, test: 1944 });
  });

  it('builds the UCF51 manifest: 51 sorted classes, 4,893 / 1,944 for split 1', () => {
    const m = buildUcf51FromFeatures(set);
    expect(m.classes).toEqual([...set.classes].sort());
    expect(m.classes).toHaveLength(51);
    expect(samplesOfSplit(m, 'train')).toHaveLength(4893);
    expect(samplesOfSplit(m, 'test')).toHaveLength(1944);
    const s2 = buildUcf51FromFeatures(set, { split: 2 });
    expect(samplesOfSplit(s2, 'test').every((s) => s.group! >= 8 && s.group! <= 14)).toBe(true);
  });

  it('extracts to a folder that reads back identically', () => {
    const dir = tempDir();
    try {
      const extractWarnings: string[] = [];
      const files = extractTarGz(ARCHIVE, dir, { onWarning: (m) => extractWarnings.push(m) });
      expect(files).toHaveLength(6837);
      expect(extractWarnings).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, '._audiocnn14embed512_features'))).toBe(false);
      const folder = readFeaturesFolder(path.join(dir, 'audiocnn14embed512_features'), { dim: 512 });
      expect(folder.classes).toEqual(set.classes);
      const id = 'v_CricketBowling_g22_c02';
      expect(Array.from(folder.features.get(id)!.data)).toEqual(Array.from(set.features.get(id)!.data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
