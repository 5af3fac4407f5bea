import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitClassesByAgreement, splitClassesByRank, subsetAccuracy, subsetAccuracyTable, subsetsOfSplit } from '../src';

const ucf = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'ucf51-audio-probe-per-class.json'), 'utf8')) as [string, number][];

describe('class split by agreement', () => {
  it('thresholds: >= correlated, >= weak, else not; null -> unknown; boundaries inclusive', () => {
    const s = splitClassesByAgreement([0.6, 0.59, 0.3, 0.29, null, 1, 0], { correlated: 0.6, weak: 0.3 });
    expect(s.levels).toEqual(['correlated', 'weak', 'weak', 'not', 'unknown', 'correlated', 'not']);
    expect(s.correlated).toEqual([0, 5]);
    expect(s.weak).toEqual([1, 2]);
    expect(s.not).toEqual([3, 6]);
    expect(s.unknown).toEqual([4]);
    expect(() => splitClassesByAgreement([0.5], { correlated: 0.2, weak: 0.4 })).toThrow(/correlated \(0.2\) >= weak \(0.4\)/);
  });

  it('on the real UCF51 audio-probe accuracies the default thresholds give 17 / 17 / 17', () => {
    const s = splitClassesByAgreement(ucf.map(([, a]) => a));
    expect([s.correlated.length, s.weak.length, s.not.length]).toEqual([17, 17, 17]);
    // independent count
    expect(ucf.filter(([, a]) => a >= 0.6).length).toBe(17);
    expect(s.correlated.map((k) => ucf[k]![0])).toContain('PlayingDaf');
    expect(s.not.map((k) => ucf[k]![0])).toContain('BodyWeightSquats');
  });

  it('by rank: the best n are correlated, ties by lower index', () => {
    const s = splitClassesByRank([0.5, 0.9, 0.5, 0.1, null], { correlated: 1, weak: 1 });
    expect(s.correlated).toEqual([1]);
    expect(s.weak).toEqual([0]); // tie 0/2 -> class 0 first
    expect(s.not).toEqual([2, 3]);
    expect(s.unknown).toEqual([4]);
    expect(s.thresholds).toEqual({ correlated: 0.9, weak: 0.5 });
  });
});

describe('per-subset accuracy table', () => {
  const split = splitClassesByAgreement([0.9, 0.8, 0.4, 0.1, 0.0], { correlated: 0.6, weak: 0.3 });
  const subsets = subsetsOfSplit(split);
  const baseline = { method: 'baseline', perClassAccuracy: [0.5, 0.5, 0.5, 0.5, null] };
  const ccl = { method: 'CCL', perClassAccuracy: [0.7, 0.9, 0.6, 0.5, null] };

  it('mean-class subset accuracies and gains equal hand values; empty subset or all-null -> null', () => {
    const t = subsetAccuracyTable([baseline, ccl], subsets, 'baseline');
    expect(t.subsets.map((s) => s.name)).toEqual(['correlated', 'weakly correlated', 'correlated + weakly', 'not correlated', 'all']);
    expect(t.subsets.map((s) => s.numClasses)).toEqual([2, 1, 3, 2, 5]);
    const row = t.rows[1]!;
    expect(row.accuracy[0]).toBeCloseTo(0.8, 12);
    expect(row.accuracy[1]).toBeCloseTo(0.6, 12);
    expect(row.accuracy[2]).toBeCloseTo(2.2 / 3, 12);
    expect(row.accuracy[3]).toBeCloseTo(0.5, 12); // class 4 has no value: mean over class 3 only
    expect(row.accuracy[4]).toBeCloseTo(2.7 / 4, 12);
    expect(row.gain[0]).toBeCloseTo(0.3, 12);
    expect(row.gain[3]).toBeCloseTo(0, 12);
    expect(t.rows[0]!.gain.every((g) => g === 0)).toBe(true);
    const empty = subsetAccuracyTable(
      [ccl],
      [
        { name: 'none', classes: [] },
        { name: 'only-null', classes: [4] },
      ],
    );
    expect(empty.rows[0]!.accuracy).toEqual([null, null]);
    expect(empty.rows[0]!.gain).toEqual([null, null]);
  });

  it('video-weighted when counts are given', () => {
    expect(subsetAccuracy({ method: 'm', perClassAccuracy: [1, 0.5], perClassCount: [1, 3] }, [0, 1])).toBeCloseTo((1 + 1.5) / 4, 12);
    expect(subsetAccuracy({ method: 'm', perClassAccuracy: [1, 0.5] }, [0, 1])).toBeCloseTo(0.75, 12);
  });

  it('rejects unknown baselines, mismatched class counts and out-of-range classes', () => {
    expect(() => subsetAccuracyTable([ccl], subsets, 'CRD')).toThrow(/baseline 'CRD' is not among the methods \(CCL\)/);
    expect(() => subsetAccuracyTable([ccl, { method: 'x', perClassAccuracy: [1] }], subsets)).toThrow(/'x' has 1 classes/);
    expect(() => subsetAccuracy(ccl, [7])).toThrow(/class 7 is out of range/);
  });
});
