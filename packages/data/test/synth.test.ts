import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appearanceAt, classComposition, closeMediaInfo, decodeAudio, decodeVideo, generateSyntheticAV, probeMedia, readManifest, runFfmpeg, soundAt, MOTION_ORDER } from '../src';
import type { SyntheticAVResult } from '../src';
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
const opts = { seed: 3, numClasses: 6, videosPerClass: 3, width: 32, height: 32, frames: 8, fps: 8, sampleRate: 16000, imagesPerAppearance: 2, clipsPerSound: 2 };
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
    const files = (root: string): string[] => fs.readdirSync(root, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
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
    const r = await generateSyntheticAV({ outDir: path.join(dir, 'digest'), seed: 7, numClasses: 6, videosPerClass: 4, width: 32, height: 24, frames: 4, imagesPerAppearance: 2, clipsPerSound: 2 });
    expect(generatorDigest(r)).toBe('db448a754353a0cde2a4681f4a57c29a50822d7be2352d57502a443718cf9d0f');
  });
});
