import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng } from '@ccl/base';
import { gatherTeacherBatch, parseUcfVideoName, selectTeacherRow, teacherRowAtTime, ucfSplitOfGroup } from '../src';
import { readFeaturesFolder, readTeacherFeature, writeNpy } from '../src/node';
import { tempDir } from './helpers';

function vec(dim: number, fill: (i: number) => number): Float32Array {
  return Float32Array.from({ length: dim }, (_, i) => fill(i));
}

describe('teacher features', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('validates shape, size and values with errors naming the file', () => {
    const p = (n: string): string => path.join(dir, n);
    writeNpy(p('ok1.npy'), { dtype: 'float32', shape: [4], data: vec(4, (i) => i) });
    writeNpy(p('ok2.npy'), { dtype: 'float64', shape: [3, 4], data: Float64Array.from({ length: 12 }, (_, i) => i) });
    writeNpy(p('rank3.npy'), { dtype: 'float32', shape: [1, 2, 2], data: new Float32Array(4) });
    writeNpy(p('nan.npy'), { dtype: 'float32', shape: [2, 2], data: Float32Array.from([0, 1, NaN, 2]) });
    writeNpy(p('inf.npy'), { dtype: 'float64', shape: [2], data: Float64Array.from([Infinity, 2]) });
    expect(readTeacherFeature(p('ok1.npy'), { dim: 4 })).toMatchObject({ id: 'ok1', rows: 1, dim: 4 });
    const two = readTeacherFeature(p('ok2.npy'), { dim: 4 });
    expect(two).toMatchObject({ rows: 3, dim: 4 });
    expect(two.data).toBeInstanceOf(Float32Array);
    expect(() => readTeacherFeature(p('ok1.npy'), { dim: 512 })).toThrow(/ok1\.npy: teacher feature has size 4, expected 512/);
    expect(() => readTeacherFeature(p('rank3.npy'))).toThrow(/rank3\.npy: teacher feature must be 1-D \(D,\) or 2-D \(T, D\), got shape \(1, 2, 2\)/);
    expect(() => readTeacherFeature(p('nan.npy'))).toThrow(/nan\.npy: teacher feature has a non-finite value \(NaN\) at row 1, column 0/);
    expect(() => readTeacherFeature(p('inf.npy'))).toThrow(/inf\.npy: .*non-finite value \(Infinity\)/);
    expect(readTeacherFeature(p('nan.npy'), { allowNonFinite: true }).rows).toBe(2);
  });

  it('picks a seeded random row of a (T, D) feature, every row reachable', () => {
    const f = readTeacherFeature(path.join(dir, 'ok2.npy'));
    expect(Array.from(selectTeacherRow(readTeacherFeature(path.join(dir, 'ok1.npy'))))).toEqual([0, 1, 2, 3]);
    expect(() => selectTeacherRow(f)).toThrow(/needs an rng/);
    const pick = (seed: number): number[] => {
      const r = createRng(seed);
      return Array.from({ length: 30 }, () => (selectTeacherRow(f, r)[0] as number) / 4);
    };
    const rows = pick(5);
    expect(pick(5)).toEqual(rows);
    expect(new Set(rows)).toEqual(new Set([0, 1, 2]));
    const r = createRng(9);
    const row = selectTeacherRow(f, r);
    expect(Array.from(row)).toEqual([0, 1, 2, 3].map((c) => row[0]! + c));
  });

  it('aligns a row to a time for segment-wise features', () => {
    const f = readTeacherFeature(path.join(dir, 'ok2.npy')); // rows [0..3], [4..7], [8..11]
    expect(Array.from(teacherRowAtTime(f, 0.99, 1))).toEqual([0, 1, 2, 3]);
    expect(Array.from(teacherRowAtTime(f, 1.0, 1))).toEqual([4, 5, 6, 7]);
    expect(Array.from(teacherRowAtTime(f, 99, 1))).toEqual([8, 9, 10, 11]);
    expect(Array.from(teacherRowAtTime(f, -1, 1))).toEqual([0, 1, 2, 3]);
    expect(() => teacherRowAtTime(f, 1, 0)).toThrow(/hopSeconds must be > 0/);
  });

  it('parses UCF names and split groups', () => {
    expect(parseUcfVideoName('Foo/v_ApplyEyeMakeup_g08_c01.avi')).toEqual({ id: 'v_ApplyEyeMakeup_g08_c01', className: 'ApplyEyeMakeup', group: 8, clip: 1 });
    expect(parseUcfVideoName('readme.txt')).toBeNull();
    expect([1, 7, 8, 25].map((g) => ucfSplitOfGroup(g, 1))).toEqual(['test', 'test', 'train', 'train']);
    expect([7, 8, 14, 15].map((g) => ucfSplitOfGroup(g, 2))).toEqual(['train', 'test', 'test', 'train']);
    expect([14, 15, 21, 22].map((g) => ucfSplitOfGroup(g, 3))).toEqual(['train', 'test', 'test', 'train']);
    expect(() => ucfSplitOfGroup(1, 4 as 1)).toThrow(/split must be 1, 2 or 3/);
  });
});

describe('features folder', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const put = (rel: string, data: Float32Array, shape = [data.length]): void => {
    writeNpy(path.join(dir, rel), { dtype: 'float32', shape, data });
  };

  it('reads classes, ids and a hasTeacher mask for missing videos', () => {
    const root = path.join(dir, 'good');
    put(
      'good/Drum/v_Drum_g01_c01.npy',
      vec(3, () => 1),
    );
    put(
      'good/Drum/v_Drum_g09_c02.npy',
      vec(3, () => 2),
    );
    put(
      'good/Archery/v_Archery_g02_c01.npy',
      vec(6, (i) => 10 + i),
      [2, 3],
    );
    fs.writeFileSync(path.join(root, 'Drum', '._v_Drum_g01_c01.npy'), 'mac');
    const warnings: string[] = [];
    const set = readFeaturesFolder(root, { dim: 3, onWarning: (m) => warnings.push(m) });
    expect(set.classes).toEqual(['Archery', 'Drum']);
    expect([...set.features.keys()].sort()).toEqual(['v_Archery_g02_c01', 'v_Drum_g01_c01', 'v_Drum_g09_c02']);
    expect(set.classOf.get('v_Drum_g09_c02')).toBe('Drum');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\._v_Drum_g01_c01\.npy/);
    const batch = gatherTeacherBatch(set, ['v_Drum_g09_c02', 'v_Nope_g01_c01', 'v_Archery_g02_c01'], createRng(1));
    expect(Array.from(batch.hasTeacher)).toEqual([1, 0, 1]);
    expect(Array.from(batch.features.subarray(0, 6))).toEqual([2, 2, 2, 0, 0, 0]);
    expect([10, 13]).toContain(batch.features[6]);
  });

  it('rejects an empty class folder, a duplicate id and mixed sizes', () => {
    put(
      'empty/A/v_A_g01_c01.npy',
      vec(2, () => 0),
    );
    fs.mkdirSync(path.join(dir, 'empty', 'B'));
    expect(() => readFeaturesFolder(path.join(dir, 'empty'), { onWarning: () => {} })).toThrow(/empty\/B: class folder 'B' holds no \.npy features/);
    put(
      'dup/A/v_X_g01_c01.npy',
      vec(2, () => 0),
    );
    put(
      'dup/B/v_X_g01_c01.npy',
      vec(2, () => 0),
    );
    expect(() => readFeaturesFolder(path.join(dir, 'dup'))).toThrow(/dup\/B\/v_X_g01_c01\.npy: duplicate video id 'v_X_g01_c01'/);
    put(
      'mixed/A/v_A_g01_c01.npy',
      vec(2, () => 0),
    );
    put(
      'mixed/A/v_A_g01_c02.npy',
      vec(3, () => 0),
    );
    expect(() => readFeaturesFolder(path.join(dir, 'mixed'))).toThrow(/v_A_g01_c02\.npy: feature size 3 differs from the set's 2/);
    expect(() => readFeaturesFolder(path.join(dir, 'nowhere'))).toThrow(/nowhere: features folder does not exist/);
  });
});
