import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  evalClip,
  gatherFrames,
  samplesOfSplit,
  selectTeacherRow,
  temporalEvenCrop,
  trainClip,
  type ClipU8,
  type TeacherFeatureSet,
  type Manifest,
} from '@ccl/data';
import { clipPath, openClipFile, readClipFrames } from '@ccl/data/node';
import { closeMediaInfo, generateSyntheticAV, prepareClipCache } from '@ccl/data/media';
import { createRng, keyedRng } from '@ccl/base';
import { clipCacheSource, disposeBatch, loadBatch, resolveExperimentConfig } from '../src';

/** The trainer's view of a clip cache equals @ccl/data's reference pipelines on the whole video. */
describe('clipCacheSource', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-cache-source-'));
  let manifest: Manifest;
  const cacheDir = path.join(dir, 'cache');

  beforeAll(async () => {
    const gen = await generateSyntheticAV({
      outDir: path.join(dir, 'synth'),
      numClasses: 2,
      videosPerClass: 3,
      width: 32,
      height: 24,
      frames: 12,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    manifest = gen.manifest;
    await prepareClipCache({ manifest, cacheDir, shortSide: null });
  });
  afterAll(() => closeMediaInfo());

  const whole = (id: string): ClipU8 => {
    const info = openClipFile(clipPath(cacheDir, id));
    const { t, h, w, c } = info.header;
    return {
      data: readClipFrames(
        info,
        Array.from({ length: t }, (_, k) => k),
      ),
      t,
      h,
      w,
      c,
    };
  };

  it('train views: trainClip on the whole video with the same draws (only the needed frames are read)', async () => {
    const source = clipCacheSource({ manifest, cacheDir, split: 'train', frames: 4, size: 16 });
    for (let i = 0; i < source.length; i++) {
      const got = await source.get(i, { kind: 'train', rng: keyedRng(1, 2, i) });
      const seed = keyedRng(1, 2, i).int(0, 2 ** 31 - 1);
      const want = trainClip(whole(source.samples[i].id), createRng(seed), { frames: 4, size: 16 }).clip.data;
      expect(Buffer.compare(Buffer.from(got.video.buffer), Buffer.from(want.buffer))).toBe(0);
      expect(got.label).toBe(manifest.classes.indexOf(source.samples[i].label));
    }
  });

  it("train views carry one row of each teacher's feature (drawn after the clip), null where missing; a batch masks those rows", async () => {
    const train = samplesOfSplit(manifest, 'train');
    const rows = (i: number) => Float32Array.from([i, i, i + 0.5, i + 0.5]); // 2 rows of 2: (sample, row)
    const audio: TeacherFeatureSet = {
      classes: manifest.classes,
      dim: 2,
      source: 'feats/audio',
      classOf: new Map(),
      features: new Map(train.slice(1).map((x, i) => [x.id, { id: x.id, rows: 2, dim: 2, data: rows(i + 1), source: `${x.id}.npy` }])),
    };
    const source = clipCacheSource({ manifest, cacheDir, split: 'train', frames: 4, size: 16, features: { audio } });
    const picked = new Set<number>();
    for (let e = 0; e < 4; e++) {
      for (let i = 0; i < source.length; i++) {
        const got = await source.get(i, { kind: 'train', rng: keyedRng(1, e, i) });
        if (i === 0) {
          expect(got.teachers?.audio).toBeNull();
          continue;
        }
        // the draws of trainClip first, then the row from a fork of the same generator
        const rng = createRng(keyedRng(1, e, i).int(0, 2 ** 31 - 1));
        trainClip(whole(source.samples[i].id), rng, { frames: 4, size: 16 });
        const want = selectTeacherRow(audio.features.get(source.samples[i].id)!, rng.fork(7));
        expect(Array.from(got.teachers!.audio!)).toEqual(Array.from(want));
        picked.add(got.teachers!.audio![1] - i); // 0 or 0.5: which row
      }
    }
    expect([...picked].sort()).toEqual([0, 0.5]);
    const batch = await loadBatch(source, [0, 1], (i) => ({ kind: 'train', rng: keyedRng(1, 0, i) }), { audio: 2 });
    expect(Array.from(batch.teachers.audio.mask)).toEqual([0, 1]);
    expect(Array.from(batch.teachers.audio.features.dataSync().slice(0, 2))).toEqual([0, 0]);
    disposeBatch(batch);
  });

  it('eval views: the k-th of `clips` evenly spaced clips, centre crop', async () => {
    const source = clipCacheSource({ manifest, cacheDir, split: 'test', frames: 4, size: 16 });
    const v = whole(source.samples[0].id);
    const windows = temporalEvenCrop(v.t, 4, 3);
    for (let k = 0; k < 3; k++) {
      const got = await source.get(0, { kind: 'eval', clip: k, clips: 3 });
      expect(Array.from(got.video)).toEqual(Array.from(evalClip(gatherFrames(v, windows[k]), { size: 16 }).data));
    }
    expect(() => clipCacheSource({ manifest, cacheDir, split: 'val', frames: 4, size: 16 })).toThrow(/no 'val' samples/);
  });

  it("fails (or warns, by the teacher's switch) when a teacher has features for too few training videos, with the count", () => {
    const train = samplesOfSplit(manifest, 'train');
    const setFor = (ids: string[]): TeacherFeatureSet => ({
      classes: manifest.classes,
      dim: 2,
      source: 'feats/audio',
      features: new Map(ids.map((id) => [id, { id, rows: 1, dim: 2, data: new Float32Array(2), source: `${id}.npy` }])),
      classOf: new Map(),
    });
    const one = { audio: setFor([train[0]!.id, 'not-in-the-manifest']) };
    const pct = ((100 * 1) / train.length).toFixed(1);
    const want = new RegExp(
      `feats/audio: teacher 'audio' has features for 1 of ${train.length} training videos \\(${pct.replace('.', '\\.')}%\\), below its minCoverage of 50\\.0%`,
    );
    expect(() => clipCacheSource({ manifest, cacheDir, split: 'train', frames: 4, size: 16, features: one })).toThrow(want);
    const warnings: string[] = [];
    const source = clipCacheSource({
      manifest,
      cacheDir,
      split: 'train',
      frames: 4,
      size: 16,
      features: one,
      coverage: { audio: { lowCoverage: 'warn' } },
      onWarning: (m) => warnings.push(m),
    });
    expect(source.length).toBe(train.length);
    expect(warnings).toEqual([expect.stringMatching(want)]);
    // a lower bar passes silently; full coverage passes by default; evaluation splits are not checked
    warnings.length = 0;
    clipCacheSource({
      manifest,
      cacheDir,
      split: 'train',
      frames: 4,
      size: 16,
      features: one,
      coverage: { audio: { minCoverage: 0.1 } },
      onWarning: (m) => warnings.push(m),
    });
    clipCacheSource({
      manifest,
      cacheDir,
      split: 'train',
      frames: 4,
      size: 16,
      features: { audio: setFor(train.map((x) => x.id)) },
      onWarning: (m) => warnings.push(m),
    });
    clipCacheSource({ manifest, cacheDir, split: 'test', frames: 4, size: 16, features: { audio: setFor([]) }, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    // the experiment config carries the rule per teacher
    const config = resolveExperimentConfig({
      method: 'ccl',
      student: { encoder: 'r2plus1d-18' },
      teachers: [{ name: 'audio', modality: 'audio', dim: 2, lowCoverage: 'warn', minCoverage: 0.9 }],
    });
    expect(config.teachers[0]).toMatchObject({ minCoverage: 0.9, lowCoverage: 'warn' });
    expect(
      resolveExperimentConfig({ method: 'ccl', student: { encoder: 'r2plus1d-18' }, teachers: [{ name: 'audio', modality: 'audio', dim: 2 }] }).teachers[0],
    ).toMatchObject({ minCoverage: 0.5, lowCoverage: 'fail' });
    expect(() =>
      resolveExperimentConfig({ method: 'ccl', student: { encoder: 'r2plus1d-18' }, teachers: [{ name: 'audio', modality: 'audio', dim: 2, minCoverage: 2 }] }),
    ).toThrow(/minCoverage/);
  });
});
