import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  BatchLoader,
  batchToTensors,
  classIndex,
  clipPath,
  evalClip,
  gatherFrames,
  loadEvalWindows,
  slidingWindows,
  openClipFile,
  readClipAudio,
  readClipFrames,
  verifyClipFile,
} from '../src';
import { closeMediaInfo, decodeVideo, generateSyntheticAV, prepareClipCache } from '../src/media';
import type { TeacherFeatureSet, Manifest } from '../src';
import type { PrepareReport } from '../src/media';
import { tempDir } from './helpers';

const dir = tempDir();
let manifest: Manifest;
const BAD = ['bad-truncated', 'bad-random', 'bad-empty', 'bad-audio-only'];

function cacheFiles(cacheDir: string): Map<string, Buffer> {
  const clips = path.join(cacheDir, 'clips');
  return new Map(fs.readdirSync(clips).sort().map((f) => [f, fs.readFileSync(path.join(clips, f))]));
}

beforeAll(async () => {
  const gen = await generateSyntheticAV({ outDir: path.join(dir, 'synth'), seed: 9, numClasses: 4, videosPerClass: 3, width: 32, height: 24, frames: 10, fps: 10, imagesPerAppearance: 0, clipsPerSound: 0 });
  const root = gen.manifest.root!;
  const first = fs.readFileSync(path.join(root, gen.manifest.samples[0]!.video!));
  fs.writeFileSync(path.join(root, 'truncated.mp4'), first.subarray(0, first.length >> 1));
  fs.writeFileSync(path.join(root, 'random.mp4'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255)));
  fs.writeFileSync(path.join(root, 'empty.mp4'), '');
  // An audio-only file: the wav of one clip renamed is enough for mediainfo (no video stream).
  const wav = Buffer.alloc(44 + 3200);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + 3200, 4); wav.write('WAVEfmt ', 8); wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(16000, 24); wav.writeUInt32LE(32000, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34); wav.write('data', 36); wav.writeUInt32LE(3200, 40);
  fs.writeFileSync(path.join(root, 'audio-only.wav'), wav);
  const label = gen.manifest.classes[0]!;
  manifest = {
    ...gen.manifest,
    samples: [
      ...gen.manifest.samples,
      { id: 'bad-truncated', label, split: 'train', video: 'truncated.mp4' },
      { id: 'bad-random', label, split: 'train', video: 'random.mp4' },
      { id: 'bad-empty', label, split: 'train', video: 'empty.mp4' },
      { id: 'bad-audio-only', label, split: 'train', video: 'audio-only.wav' },
    ],
  };
});
afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prepareClipCache', () => {
  let full: PrepareReport;
  const cacheA = (): string => path.join(dir, 'cache-a');

  it('caches every good video, skips bad ones with reasons in prepare-report.json', async () => {
    full = await prepareClipCache({ manifest, cacheDir: cacheA(), shortSide: null, audioSampleRate: 8000, concurrency: 2 });
    expect(full.prepared).toBe(12);
    expect(full.alreadyCached).toBe(0);
    expect(full.skipped.map((s) => s.id)).toEqual([...BAD].sort());
    const reason = (id: string): string => full.skipped.find((s) => s.id === id)!.reason;
    expect(reason('bad-empty')).toMatch(/empty\.mp4: empty file/);
    expect(reason('bad-random')).toMatch(/random\.mp4: not a recognised media file/);
    expect(reason('bad-truncated')).toMatch(/truncated\.mp4: .*truncated/);
    expect(reason('bad-audio-only')).toMatch(/audio-only\.wav: no video stream/);
    expect(JSON.parse(fs.readFileSync(path.join(cacheA(), 'prepare-report.json'), 'utf8'))).toEqual(full);
  });

  it('stores exactly the decoded frames, plus the audio', async () => {
    const s = manifest.samples[0]!;
    const info = verifyClipFile(clipPath(cacheA(), s.id));
    expect(info.header).toMatchObject({ id: s.id, t: 10, h: 24, w: 32, c: 3, fps: 10, audio: { sampleRate: 8000 } });
    const decoded = await decodeVideo(path.join(manifest.root!, s.video!), { shortSide: null });
    expect(Buffer.compare(Buffer.from(readClipFrames(info, Array.from({ length: 10 }, (_, i) => i))), Buffer.from(decoded.frames))).toBe(0);
    expect(Buffer.compare(Buffer.from(readClipFrames(info, [3])), Buffer.from(decoded.frames.subarray(3 * 24 * 32 * 3, 4 * 24 * 32 * 3)))).toBe(0);
    expect(Math.abs(readClipAudio(info)!.length - 8000)).toBeLessThan(600);
  });

  it('resumes after an interrupted run (stale temp file, damaged entry) to an identical cache', async () => {
    const cacheB = path.join(dir, 'cache-b');
    const ctrl = new AbortController();
    const first = await prepareClipCache({
      manifest, cacheDir: cacheB, shortSide: null, audioSampleRate: 8000, concurrency: 1, signal: ctrl.signal,
      onProgress: (e) => { if (e.done === 5) ctrl.abort(); },
    });
    expect(first.aborted).toBe(true);
    expect(fs.readdirSync(path.join(cacheB, 'clips')).length).toBeLessThan(12);
    // What a kill during a write leaves behind, and a half-written entry from an older, non-atomic tool.
    fs.writeFileSync(path.join(cacheB, 'clips', '.x.clip.123.1.tmp'), 'partial');
    const someDone = fs.readdirSync(path.join(cacheB, 'clips')).find((f) => f.endsWith('.clip'))!;
    const damaged = path.join(cacheB, 'clips', someDone);
    fs.truncateSync(damaged, fs.statSync(damaged).size - 50);
    expect(() => openClipFile(damaged)).toThrow(/clip file has \d+ bytes, header describes \d+/);
    const second = await prepareClipCache({ manifest, cacheDir: cacheB, shortSide: null, audioSampleRate: 8000, concurrency: 2 });
    expect(second.aborted).toBe(false);
    expect(second.alreadyCached + second.prepared).toBe(12);
    expect(second.alreadyCached).toBeGreaterThan(0);
    const a = cacheFiles(cacheA());
    const b = cacheFiles(cacheB);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [f, bytes] of a) expect(Buffer.compare(bytes, b.get(f)!)).toBe(0);
    const third = await prepareClipCache({ manifest, cacheDir: cacheB, shortSide: null, audioSampleRate: 8000, verifyExisting: true });
    expect([third.prepared, third.alreadyCached]).toEqual([0, 12]);
  });

  it('detects a corrupt frame payload', () => {
    const file = clipPath(cacheA(), manifest.samples[1]!.id);
    const copy = path.join(dir, 'corrupt.clip');
    const bytes = fs.readFileSync(file);
    bytes[openClipFile(file).audioOffset - 10] ^= 0xff;
    fs.writeFileSync(copy, bytes);
    expect(() => verifyClipFile(copy)).toThrow(/corrupt\.clip: frame data CRC mismatch/);
  });
});

describe('BatchLoader', () => {
  const cacheDir = (): string => path.join(dir, 'cache-a');
  const good = (): Manifest => ({ ...manifest, samples: manifest.samples.filter((s) => !s.id.startsWith('bad-')) });
  const teacherSet = (): TeacherFeatureSet => {
    const m = good();
    const features = new Map();
    const classOf = new Map();
    // every other training sample gets a 2-row teacher feature whose values encode (sample, row)
    m.samples.forEach((s, i) => {
      if (i % 2) return;
      features.set(s.id, { id: s.id, rows: 2, dim: 3, data: Float32Array.from([i, i, i, i + 0.5, i + 0.5, i + 0.5]), source: s.id });
      classOf.set(s.id, s.label);
    });
    return { classes: m.classes, features, classOf, dim: 3, source: 'test' };
  };
  const loader = (seed: number): BatchLoader => new BatchLoader({ manifest: good(), cacheDir: cacheDir(), split: 'train', batchSize: 3, mode: 'train', seed, frames: 4, size: 16, teachers: { audio: teacherSet() } });

  it('yields [B, T, H, W, C] batches with labels, teacher features + mask and ids', async () => {
    const l = loader(1);
    expect(l.samples).toHaveLength(8);
    expect(l.numBatches).toBe(2);
    const batches = [];
    for await (const b of l.epoch(0)) batches.push(b);
    expect(batches).toHaveLength(2);
    const idx = classIndex(good());
    const set = teacherSet();
    for (const b of batches) {
      expect(b.shape).toEqual([3, 4, 16, 16, 3]);
      expect(b.video.length).toBe(3 * 4 * 16 * 16 * 3);
      b.ids.forEach((id, k) => {
        const s = good().samples.find((x) => x.id === id)!;
        expect(b.labels[k]).toBe(idx.get(s.label));
        const f = set.features.get(id);
        expect(b.teachers.audio!.mask[k]).toBe(f ? 1 : 0);
        const row = Array.from(b.teachers.audio!.features.subarray(3 * k, 3 * k + 3));
        if (f) expect([Array.from(f.data.subarray(0, 3)), Array.from(f.data.subarray(3, 6))]).toContainEqual(row);
        else expect(row).toEqual([0, 0, 0]);
      });
    }
    expect(new Set(batches.flatMap((b) => b.ids)).size).toBe(6);
  });

  it('is deterministic per (seed, epoch) and reshuffles across epochs', async () => {
    const collect = async (l: BatchLoader, e: number): Promise<{ ids: string[]; sum: number }> => {
      const ids: string[] = [];
      let sum = 0;
      for await (const b of l.epoch(e)) {
        ids.push(...b.ids);
        sum += b.video.reduce((a, v) => a + v, 0);
      }
      return { ids, sum };
    };
    const a0 = await collect(loader(1), 0);
    expect(await collect(loader(1), 0)).toEqual(a0);
    const direct = loader(1).batch(0, 1);
    expect(direct.ids).toEqual(a0.ids.slice(3, 6));
    expect(loader(1).order(1)).not.toEqual(loader(1).order(0));
    expect(loader(2).order(0)).not.toEqual(loader(1).order(0));
  });

  it('eval mode: all samples in manifest order, centre clips, last partial batch kept', async () => {
    const l = new BatchLoader({ manifest: good(), cacheDir: cacheDir(), split: 'test', batchSize: 3, mode: 'eval', frames: 4, size: 16 });
    const ids: string[] = [];
    for await (const b of l.epoch(0)) ids.push(...b.ids);
    expect(ids).toEqual(good().samples.filter((s) => s.split === 'test').map((s) => s.id));
    expect(l.numBatches).toBe(2);
    expect(() => new BatchLoader({ manifest: good(), cacheDir: cacheDir(), split: 'val', batchSize: 2, mode: 'eval' })).toThrow(/no 'val' samples/);
  });

  it('converts a batch to tensors without leaking', () => {
    const before = tf.memory().numTensors;
    const b = loader(3).batch(0, 0);
    const t = batchToTensors(b);
    expect(t.video.shape).toEqual([3, 4, 16, 16, 3]);
    expect(t.labels.dtype).toBe('int32');
    expect(t.teachers.audio!.features.shape).toEqual([3, 3]);
    expect(Array.from(t.teachers.audio!.mask.dataSync())).toEqual(Array.from(b.teachers.audio!.mask));
    tf.dispose([t.video, t.labels, t.teachers.audio!.features, t.teachers.audio!.mask]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads every evaluation window of a cached video (sliding and even protocols)', () => {
    const s = good().samples[0]!;
    const info = openClipFile(clipPath(cacheDir(), s.id));
    const all = readClipFrames(info, Array.from({ length: 10 }, (_, i) => i));
    const video = { data: all, t: 10, h: 24, w: 32, c: 3 };
    const sliding = loadEvalWindows(cacheDir(), s.id, { frames: 4, size: 16 });
    expect(sliding).toHaveLength(3); // windows 0-3, 4-7, [8, 9, 8, 9]
    const wins = slidingWindows(10, 4);
    sliding.forEach((clip, k) => expect(Array.from(clip.data)).toEqual(Array.from(evalClip(gatherFrames(video, wins[k]!), { size: 16 }).data)));
    expect(loadEvalWindows(cacheDir(), s.id, { frames: 4, size: 16, protocol: 'even', numClips: 3 })).toHaveLength(3);
  });

  it('builds identical batches in worker threads (package bundled for the workers)', async () => {
    // Workers load JavaScript: bundle the sources the way the published build is made.
    const outfile = path.join(__dirname, '..', '.test-build', 'ccl-data.cjs');
    const esbuild = require('esbuild') as { buildSync: (o: Record<string, unknown>) => unknown };
    esbuild.buildSync({ entryPoints: [path.join(__dirname, '..', 'src', 'index.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, external: ['@tensorflow/tfjs-core', 'mediainfo.js', '@ffmpeg-installer/ffmpeg'], logLevel: 'silent' });
    const threaded = new BatchLoader({ manifest: good(), cacheDir: cacheDir(), split: 'train', batchSize: 3, mode: 'train', seed: 1, frames: 4, size: 16, teachers: { audio: teacherSet() }, workers: 2, workerModule: outfile });
    const inThread = loader(1);
    let b = 0;
    for await (const batch of threaded.epoch(2)) {
      const ref = inThread.batch(2, b++);
      expect(batch.ids).toEqual(ref.ids);
      expect(Array.from(batch.labels)).toEqual(Array.from(ref.labels));
      expect(Buffer.compare(Buffer.from(batch.video.buffer), Buffer.from(ref.video.buffer))).toBe(0);
      expect(Array.from(batch.teachers.audio!.features)).toEqual(Array.from(ref.teachers.audio!.features));
      expect(Array.from(batch.teachers.audio!.mask)).toEqual(Array.from(ref.teachers.audio!.mask));
    }
    expect(b).toBe(2);
    const broken = new BatchLoader({ manifest: good(), cacheDir: path.join(dir, 'nowhere'), split: 'train', batchSize: 3, mode: 'train', workers: 1, workerModule: outfile });
    await expect((async () => { for await (const _ of broken.epoch(0)) void _; })()).rejects.toThrow(/batch worker: .*nowhere.*cannot open cached clip/);
    const fromSource = new BatchLoader({ manifest: good(), cacheDir: cacheDir(), split: 'train', batchSize: 3, mode: 'train', workers: 1 });
    await expect((async () => { for await (const _ of fromSource.epoch(0)) void _; })()).rejects.toThrow(/workers need the built package or a workerModule/);
  });
});
