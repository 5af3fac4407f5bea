import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APPEARANCE_COUNT, appearanceAt, assertBelowNyquist, classComposition, soundAt, MOTION_ORDER } from '../src';
import { readManifest } from '../src/node';
import { closeMediaInfo, decodeAudio, decodeVideo, generateSyntheticAV, probeMedia, runFfmpeg } from '../src/media';
import type { SyntheticAVResult } from '../src/media';
import { tempDir } from './helpers';

/** Power of `x` at frequency f (Goertzel). */
function goertzel(x: Float32Array, f: number, sr: number): number {
  const w = (2 * Math.PI * f) / sr;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

const dir = tempDir();
const opts = {
  seed: 3,
  numClasses: 6,
  videosPerClass: 3,
  width: 32,
  height: 32,
  frames: 8,
  fps: 8,
  sampleRate: 16000,
  imagesPerAppearance: 2,
  clipsPerSound: 2,
};
let a: SyntheticAVResult;
let b: SyntheticAVResult;

beforeAll(async () => {
  a = await generateSyntheticAV({ ...opts, outDir: path.join(dir, 'a') });
  b = await generateSyntheticAV({ ...opts, outDir: path.join(dir, 'b') });
});
afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('class design', () => {
  it('makes classes need both appearance and motion', () => {
    for (const K of [4, 6, 9, 16]) {
      const comps = Array.from({ length: K }, (_, k) => classComposition(k, K));
      expect(new Set(comps.map((c) => `${c.appearance},${c.motion}`)).size).toBe(K);
      const countA = new Map<number, number>();
      const countM = new Map<number, number>();
      for (const c of comps) {
        countA.set(c.appearance, (countA.get(c.appearance) ?? 0) + 1);
        countM.set(c.motion, (countM.get(c.motion) ?? 0) + 1);
      }
      expect(Math.min(...countA.values())).toBeGreaterThanOrEqual(2);
      expect(Math.min(...countM.values())).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(Array.from({ length: 12 }, (_, i) => appearanceAt(i).name)).size).toBe(12);
    expect(() => classComposition(0, 37)).toThrow(/at most 36/);
  });
});

describe('generateSyntheticAV', () => {
  it('writes a valid manifest with sorted classes, splits and per-class correspondence', () => {
    const m = readManifest(a.manifestPath);
    expect(m).toEqual(a.manifest);
    expect(m.classes).toHaveLength(6);
    expect([...m.classes].sort()).toEqual(m.classes);
    expect(m.samples).toHaveLength(18);
    expect(m.samples.filter((s) => s.split === 'test')).toHaveLength(6);
    const corr = m.meta!.correspondence as Record<string, string>;
    const classSound = m.meta!.classSound as Record<string, string>;
    expect(Object.values(corr).sort()).toEqual(['none', 'none', 'strong', 'strong', 'weak', 'weak']);
    const soundNames = new Set(Array.from({ length: 6 }, (_, s) => soundAt(s).name));
    for (const s of m.samples) {
      expect(s.attributes!.correspondence).toBe(corr[s.label]);
      expect(soundNames.has(s.attributes!.sound as string)).toBe(true);
      expect(s.label).toBe(`${s.attributes!.appearance}_${s.attributes!.motion}`);
      if (corr[s.label] === 'strong') expect(s.attributes!.sound).toBe(classSound[s.label]);
      expect(fs.existsSync(path.join(m.root!, s.video!))).toBe(true);
    }
    expect(MOTION_ORDER).toContain(m.samples[0]!.attributes!.motion);
  });

  it('is deterministic: same seed, byte-identical files', () => {
    expect({ ...b.manifest, root: '' }).toEqual({ ...a.manifest, root: '' });
    const files = (root: string): string[] =>
      fs
        .readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => fs.statSync(path.join(root, f)).isFile())
        .sort();
    const fa = files(a.manifest.root!);
    expect(fa).toEqual(files(b.manifest.root!));
    for (const f of fa.filter((x) => !x.endsWith('manifest.json'))) {
      expect(Buffer.compare(fs.readFileSync(path.join(a.manifest.root!, f)), fs.readFileSync(path.join(b.manifest.root!, f)))).toBe(0);
    }
  });

  it('encodes real H.264 + AAC whose probe equals the generator parameters', async () => {
    const s = a.manifest.samples[0]!;
    const probe = await probeMedia(path.join(a.manifest.root!, s.video!));
    expect(probe).toMatchObject({ width: 32, height: 32, fps: 8, frameCount: 8, hasAudio: true, sampleRate: 16000, videoCodec: 'AVC', audioCodec: 'AAC' });
    const v = await decodeVideo(path.join(a.manifest.root!, s.video!), { shortSide: null, probe });
    expect(v.frameCount).toBe(8);
  });

  it("puts each video's sound on its audio track (the labelled tone dominates)", async () => {
    const allFreqs = Array.from({ length: 6 }, (_, k) => soundAt(k).frequency);
    for (const s of a.manifest.samples.slice(0, 6)) {
      const pcm = await decodeAudio(path.join(a.manifest.root!, s.video!), { sampleRate: 16000 });
      const want = Array.from({ length: 6 }, (_, k) => soundAt(k)).find((x) => x.name === s.attributes!.sound)!;
      const powers = allFreqs.map((f) => goertzel(pcm, f, 16000));
      expect(allFreqs[powers.indexOf(Math.max(...powers))]).toBe(want.frequency);
    }
  });

  it("emits the teachers' source data: appearance-labelled PNG stills and sound-labelled WAV clips", async () => {
    expect(a.images.classes).toHaveLength(3); // 6 classes -> 3 appearances x 3 motions
    expect(a.images.items).toHaveLength(6);
    expect(a.sounds.classes).toHaveLength(6);
    expect(a.sounds.items).toHaveLength(12);
    const png = path.join(a.manifest.root!, a.images.items[0]!.file);
    const rgb = await runFfmpeg(['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], png);
    expect(rgb.length).toBe(32 * 32 * 3);
    const wav = path.join(a.manifest.root!, a.sounds.items[0]!.file);
    const pcm = await runFfmpeg(['-v', 'error', '-i', wav, '-f', 'f32le', '-ac', '1', '-'], wav);
    expect(pcm.length / 4).toBe(16000);
    const index = JSON.parse(fs.readFileSync(path.join(a.manifest.root!, 'teachers/sounds/index.json'), 'utf8'));
    expect(index).toEqual(a.sounds);
  });

  it('rejects bad options', async () => {
    await expect(generateSyntheticAV({ outDir: dir, numClasses: 1 })).rejects.toThrow(/numClasses must be 2-36/);
    await expect(generateSyntheticAV({ outDir: dir, width: 33 })).rejects.toThrow(/must be even/);
  });
});

/**
 * sha256 of what the generator decides, independent of the ffmpeg build: the manifest (without its
 * absolute root), both teachers' indexes and the bytes of their PNG / WAV files (own encoders).
 */
const digestOpts = { seed: 7, numClasses: 6, videosPerClass: 4, width: 32, height: 24, frames: 4, imagesPerAppearance: 2, clipsPerSound: 2 };

function generatorDigest(r: SyntheticAVResult): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ ...r.manifest, root: '' }));
  h.update(JSON.stringify(r.images));
  h.update(JSON.stringify(r.sounds));
  for (const item of [...r.images.items, ...r.sounds.items]) h.update(fs.readFileSync(path.join(r.manifest.root!, item.file)));
  return h.digest('hex');
}

describe('default options reproduce the output of the generator before the regime options', () => {
  it('pins a digest of the default manifest and teacher source data (computed on the old code)', async () => {
    const r = await generateSyntheticAV({ outDir: path.join(dir, 'digest'), ...digestOpts });
    expect(generatorDigest(r)).toBe('db448a754353a0cde2a4681f4a57c29a50822d7be2352d57502a443718cf9d0f');
    // 'random' unrelated audio given explicitly is today's behaviour: same samples, only the option recorded
    const random = await generateSyntheticAV({ outDir: path.join(dir, 'digest-random'), ...digestOpts, unrelatedAudio: 'random' });
    expect(random.manifest.samples).toEqual(r.manifest.samples);
    expect(random.manifest.meta).toEqual({ ...r.manifest.meta, unrelatedAudio: 'random' });
  });
});

const tiny = { seed: 5, width: 32, height: 24, frames: 4, fps: 4, sampleRate: 16000 };

describe('regimes', () => {
  it('keeps the first twelve appearances and adds 60 distinct ones', () => {
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => appearanceAt(from + i).name);
    expect(names(0, 12)).toEqual([
      'red-disk',
      'blue-square',
      'green-triangle',
      'yellow-ring',
      'magenta-cross',
      'cyan-diamond',
      'striped-yellow-disk',
      'striped-magenta-square',
      'striped-cyan-triangle',
      'striped-red-ring',
      'striped-blue-cross',
      'striped-green-diamond',
    ]);
    expect(APPEARANCE_COUNT).toBe(72);
    const all = Array.from({ length: APPEARANCE_COUNT }, (_, a) => appearanceAt(a));
    expect(new Set(all.map((x) => `${x.shape}/${x.color}/${x.striped}`)).size).toBe(72);
    expect(new Set(all.map((x) => x.name)).size).toBe(72);
    expect(() => appearanceAt(72)).toThrow(/0-71/);
  });

  it('sets explicit train / test counts per class; equal test counts share the test videos, a smaller train set is a subset', async () => {
    const small = await generateSyntheticAV({
      ...tiny,
      outDir: path.join(dir, 'split-small'),
      numClasses: 4,
      trainVideosPerClass: 1,
      testVideosPerClass: 3,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    const large = await generateSyntheticAV({
      ...tiny,
      outDir: path.join(dir, 'split-large'),
      numClasses: 4,
      trainVideosPerClass: 2,
      testVideosPerClass: 3,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    for (const [r, train] of [
      [small, 1],
      [large, 2],
    ] as const) {
      for (const c of r.manifest.classes) {
        expect(r.manifest.samples.filter((s) => s.label === c && s.split === 'train')).toHaveLength(train);
        expect(r.manifest.samples.filter((s) => s.label === c && s.split === 'test')).toHaveLength(3);
      }
      expect(r.manifest.meta).toMatchObject({ trainVideosPerClass: train, testVideosPerClass: 3 });
    }
    const bySplit = (r: SyntheticAVResult, split: string) => r.manifest.samples.filter((s) => s.split === split);
    expect(bySplit(small, 'test')).toEqual(bySplit(large, 'test'));
    const largeTrain = new Map(bySplit(large, 'train').map((s) => [s.id, s]));
    for (const s of bySplit(small, 'train')) expect(largeTrain.get(s.id)).toEqual(s);
    for (const s of bySplit(small, 'test')) {
      expect(Buffer.compare(fs.readFileSync(path.join(small.manifest.root!, s.video!)), fs.readFileSync(path.join(large.manifest.root!, s.video!)))).toBe(0);
    }
  });

  it("gives the teachers' source sets more concepts than the video task, including every class's appearance and sound", async () => {
    const r = await generateSyntheticAV({
      ...tiny,
      outDir: path.join(dir, 'broad'),
      numClasses: 4,
      videosPerClass: 2,
      sourceConcepts: { images: 14, sounds: 10 },
      imagesPerAppearance: 1,
      clipsPerSound: 1,
    });
    expect(r.images.classes).toEqual(Array.from({ length: 14 }, (_, a) => appearanceAt(a).name));
    expect(r.sounds.classes).toEqual(Array.from({ length: 10 }, (_, s) => soundAt(s).name));
    expect(r.images.items).toHaveLength(14);
    expect(r.sounds.items).toHaveLength(10);
    const classSound = r.manifest.meta!.classSound as Record<string, string>;
    for (const s of r.manifest.samples) {
      expect(r.images.classes).toContain(s.attributes!.appearance);
      expect(r.sounds.classes).toContain(s.attributes!.sound);
      expect(r.sounds.classes).toContain(classSound[s.label]);
    }
    const used = new Set(r.manifest.samples.map((s) => s.attributes!.appearance));
    expect(used.size).toBe(2); // 4 classes -> 2 appearances x 2 motions: 12 appearances only the teacher knows
    expect(r.manifest.meta).toMatchObject({ sourceConcepts: { images: 14, sounds: 10 } });
    for (const item of [...r.images.items, ...r.sounds.items]) expect(fs.existsSync(path.join(r.manifest.root!, item.file))).toBe(true);
  });

  it("'consistent' unrelated audio: one fixed sound per weak / none class, not its own, outside every class's own sound", async () => {
    const r = await generateSyntheticAV({
      ...tiny,
      outDir: path.join(dir, 'consistent'),
      numClasses: 6,
      trainVideosPerClass: 5,
      testVideosPerClass: 1,
      unrelatedAudio: 'consistent',
      sourceConcepts: { sounds: 11 },
      imagesPerAppearance: 0,
      clipsPerSound: 1,
    });
    const meta = r.manifest.meta as {
      correspondence: Record<string, string>;
      classSound: Record<string, string>;
      classUnrelatedSound: Record<string, string>;
      unrelatedAudio: string;
    };
    expect(meta.unrelatedAudio).toBe('consistent');
    const own = new Set(Object.values(meta.classSound));
    expect(own.size).toBe(6);
    const gapClasses = r.manifest.classes.filter((c) => meta.correspondence[c] !== 'strong');
    expect(Object.keys(meta.classUnrelatedSound).sort()).toEqual([...gapClasses].sort());
    expect(new Set(Object.values(meta.classUnrelatedSound)).size).toBe(gapClasses.length);
    let weakOwn = 0;
    let weakUnrelated = 0;
    for (const c of r.manifest.classes) {
      const played = r.manifest.samples.filter((s) => s.label === c).map((s) => s.attributes!.sound as string);
      const unrelated = meta.classUnrelatedSound[c];
      if (meta.correspondence[c] === 'strong') expect(new Set(played)).toEqual(new Set([meta.classSound[c]]));
      if (meta.correspondence[c] === 'none') expect(new Set(played)).toEqual(new Set([unrelated]));
      if (meta.correspondence[c] === 'weak') {
        for (const p of played) expect([meta.classSound[c], unrelated]).toContain(p);
        weakOwn += played.filter((p) => p === meta.classSound[c]).length;
        weakUnrelated += played.filter((p) => p === unrelated).length;
      }
      if (unrelated !== undefined) {
        expect(own.has(unrelated)).toBe(false);
        expect(r.sounds.classes).toContain(unrelated);
      }
    }
    expect(weakOwn).toBeGreaterThan(0);
    expect(weakUnrelated).toBeGreaterThan(0);
    // the audio track plays the recorded unrelated sound
    const none = r.manifest.samples.find((s) => meta.correspondence[s.label] === 'none')!;
    const pcm = await decodeAudio(path.join(r.manifest.root!, none.video!), { sampleRate: 16000 });
    const specs = Array.from({ length: 11 }, (_, s) => soundAt(s));
    const powers = specs.map((x) => goertzel(pcm, x.frequency, 16000));
    expect(specs[powers.indexOf(Math.max(...powers))]!.name).toBe(meta.classUnrelatedSound[none.label]);
  });

  it('pixelNoise scales the per-pixel noise of the video frames and changes nothing else', async () => {
    const make = (pixelNoise: number) =>
      generateSyntheticAV({
        ...tiny,
        outDir: path.join(dir, `noise-${pixelNoise}`),
        numClasses: 2,
        videosPerClass: 1,
        testFraction: 0,
        pixelNoise,
        codec: 'h264-lossless-rgb',
        imagesPerAppearance: 0,
        clipsPerSound: 0,
      });
    const [quiet, noisy] = [await make(0), await make(40)];
    expect(noisy.manifest.samples).toEqual(quiet.manifest.samples);
    const file = (r: SyntheticAVResult) => path.join(r.manifest.root!, r.manifest.samples[0]!.video!);
    const [a0, a40] = [await decodeVideo(file(quiet), { shortSide: null }), await decodeVideo(file(noisy), { shortSide: null })];
    let maxDiff = 0;
    expect(a40.frames.length).toBe(a0.frames.length);
    for (let i = 0; i < a0.frames.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a0.frames[i]! - a40.frames[i]!));
    expect(maxDiff).toBeGreaterThan(20);
    expect(maxDiff).toBeLessThanOrEqual(40);
  });

  it('nuisance: a random colour per video and still leaves shape and fill as the label, with the radius in its range; refused beyond 12 appearances', async () => {
    const made = await generateSyntheticAV({
      ...tiny,
      outDir: path.join(dir, 'nuisance'),
      numClasses: 4,
      trainVideosPerClass: 6,
      testVideosPerClass: 0,
      imagesPerAppearance: 6,
      clipsPerSound: 0,
      sourceConcepts: { images: 12 },
      nuisance: { colour: 'random', radius: [0.2, 0.3] },
    });
    expect(made.manifest.classes).toEqual(['disk_left-right', 'disk_up-down', 'square_left-right', 'square_up-down']);
    expect(made.images.classes).toEqual([
      'disk',
      'square',
      'triangle',
      'ring',
      'cross',
      'diamond',
      ...['disk', 'square', 'triangle', 'ring', 'cross', 'diamond'].map((s) => `striped-${s}`),
    ]);
    const colours = new Set(made.manifest.samples.map((s) => s.attributes!.colour));
    expect(colours.size).toBeGreaterThanOrEqual(4); // 24 draws of 6 colours
    for (const s of made.manifest.samples) {
      expect(s.attributes!.radius as number).toBeGreaterThanOrEqual(0.2);
      expect(s.attributes!.radius as number).toBeLessThanOrEqual(0.3);
    }
    // the same class in two colours: the first frames differ in the object's pixels, not only by noise
    const byColour = new Map<unknown, string>();
    for (const s of made.manifest.samples.filter((x) => x.label === 'disk_left-right')) byColour.set(s.attributes!.colour, s.video!);
    expect(byColour.size).toBeGreaterThan(1);
    await expect(
      generateSyntheticAV({ ...tiny, outDir: path.join(dir, 'nuisance-bad'), numClasses: 4, sourceConcepts: { images: 13 }, nuisance: { colour: 'random' } }),
    ).rejects.toThrow(/only 12 appearances differ/);
    expect(fs.existsSync(path.join(dir, 'nuisance-bad'))).toBe(false);
  });

  it('fits more sounds below Nyquist with a finer ladder, and refuses sounds above it', () => {
    expect(soundAt(5, 3)).toEqual(soundAt(5));
    const fits = (steps: number) => {
      let n = 0;
      while (highest(soundAt(n, steps)) < 8000) n++;
      return n;
    };
    const highest = (x: ReturnType<typeof soundAt>) => x.frequency * x.harmonics;
    expect(fits(3)).toBe(11);
    expect(fits(12)).toBe(41);
    expect(new Set(Array.from({ length: 40 }, (_, s) => soundAt(s, 12).name)).size).toBe(40);
    expect(() => assertBelowNyquist(soundAt(11), 16000, 'sound 11')).toThrow(
      /sound 11 tone-3175hz-6bps has a harmonic at 9525 Hz, not below the Nyquist frequency 8000 Hz of sampleRate 16000/,
    );
    expect(() => assertBelowNyquist(soundAt(11), 32000, 'sound 11')).not.toThrow();
  });

  it('refuses impossible regimes with one clear line, before writing anything', async () => {
    const out = path.join(dir, 'refused');
    const cases: [Parameters<typeof generateSyntheticAV>[0], RegExp][] = [
      [
        { outDir: out, numClasses: 6, unrelatedAudio: 'consistent' },
        /unrelatedAudio 'consistent' needs a distinct sound outside the 6 classes' own sounds for each of the 4 weak \/ none classes, but sourceConcepts.sounds = 6 leaves 0; set sourceConcepts.sounds >= 10/,
      ],
      [
        { outDir: out, numClasses: 6, unrelatedAudio: 'consistent', sourceConcepts: { sounds: 9 } },
        /sourceConcepts.sounds = 9 leaves 3; set sourceConcepts.sounds >= 10/,
      ],
      [{ outDir: out, numClasses: 6, sourceConcepts: { sounds: 5 } }, /sourceConcepts.sounds must be an integer >= 6/],
      [
        { outDir: out, numClasses: 9, sourceConcepts: { images: 2 } },
        /sourceConcepts.images must be an integer >= 3 \(the appearances the 9 classes use\), got 2/,
      ],
      [{ outDir: out, sourceConcepts: { images: 73 } }, /only 72 distinct appearances exist/],
      [{ outDir: out, numClasses: 12 }, /sound 11 tone-3175hz-6bps has a harmonic at 9525 Hz, not below the Nyquist frequency 8000 Hz/],
      [
        { outDir: out, numClasses: 6, sourceConcepts: { sounds: 50 }, soundStepsPerOctave: 12 },
        /sound 41 tone-2670hz-3bps has a harmonic at 8010 Hz, not below the Nyquist frequency 8000 Hz/,
      ],
      [{ outDir: out, trainVideosPerClass: 10 }, /give trainVideosPerClass and testVideosPerClass together/],
      [{ outDir: out, trainVideosPerClass: 0, testVideosPerClass: 2 }, /trainVideosPerClass must be an integer >= 1, got 0/],
      [{ outDir: out, unrelatedAudio: 'loud' as never }, /unrelatedAudio must be 'random' or 'consistent', got 'loud'/],
    ];
    for (const [options, message] of cases) {
      const err = await generateSyntheticAV(options).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(message);
      expect(err?.message).toMatch(/^generateSyntheticAV: [^\n]+$/);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
