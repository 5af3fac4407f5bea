import * as fs from 'node:fs';
import * as path from 'node:path';
import { evalClip, gatherFrames, slidingWindows } from '../src';
import { clipPath, loadEvalWindows, openClipFile, readClipAudio, readClipFrames, verifyClipFile } from '../src/node';
import { closeMediaInfo, decodeVideo, generateSyntheticAV, prepareClipCache } from '../src/media';
import type { Manifest } from '../src';
import type { PrepareReport } from '../src/media';
import { tempDir } from './helpers';

const dir = tempDir();
let manifest: Manifest;
const BAD = ['bad-truncated', 'bad-random', 'bad-empty', 'bad-audio-only'];

function cacheFiles(cacheDir: string): Map<string, Buffer> {
  const clips = path.join(cacheDir, 'clips');
  return new Map(
    fs
      .readdirSync(clips)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(clips, f))]),
  );
}

beforeAll(async () => {
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 9,
    numClasses: 4,
    videosPerClass: 3,
    width: 32,
    height: 24,
    frames: 10,
    fps: 10,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
  });
  const root = gen.manifest.root!;
  const first = fs.readFileSync(path.join(root, gen.manifest.samples[0]!.video!));
  fs.writeFileSync(path.join(root, 'truncated.mp4'), first.subarray(0, first.length >> 1));
  fs.writeFileSync(path.join(root, 'random.mp4'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255)));
  fs.writeFileSync(path.join(root, 'empty.mp4'), '');
  // An audio-only file: the wav of one clip renamed is enough for mediainfo (no video stream).
  const wav = Buffer.alloc(44 + 3200);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + 3200, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(16000, 24);
  wav.writeUInt32LE(32000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(3200, 40);
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
    expect(
      Buffer.compare(
        Buffer.from(
          readClipFrames(
            info,
            Array.from({ length: 10 }, (_, i) => i),
          ),
        ),
        Buffer.from(decoded.frames),
      ),
    ).toBe(0);
    expect(Buffer.compare(Buffer.from(readClipFrames(info, [3])), Buffer.from(decoded.frames.subarray(3 * 24 * 32 * 3, 4 * 24 * 32 * 3)))).toBe(0);
    expect(Math.abs(readClipAudio(info)!.length - 8000)).toBeLessThan(600);
  });

  it('resumes after an interrupted run (stale temp file, damaged entry) to an identical cache', async () => {
    const cacheB = path.join(dir, 'cache-b');
    const ctrl = new AbortController();
    const first = await prepareClipCache({
      manifest,
      cacheDir: cacheB,
      shortSide: null,
      audioSampleRate: 8000,
      concurrency: 1,
      signal: ctrl.signal,
      onProgress: (e) => {
        if (e.done === 5) ctrl.abort();
      },
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

describe('loadEvalWindows', () => {
  const cacheDir = (): string => path.join(dir, 'cache-a');
  const good = (): Manifest => ({ ...manifest, samples: manifest.samples.filter((s) => !s.id.startsWith('bad-')) });

  it('loads every evaluation window of a cached video (sliding and even protocols)', () => {
    const s = good().samples[0]!;
    const info = openClipFile(clipPath(cacheDir(), s.id));
    const all = readClipFrames(
      info,
      Array.from({ length: 10 }, (_, i) => i),
    );
    const video = { data: all, t: 10, h: 24, w: 32, c: 3 };
    const sliding = loadEvalWindows(cacheDir(), s.id, { frames: 4, size: 16 });
    expect(sliding).toHaveLength(3); // windows 0-3, 4-7, [8, 9, 8, 9]
    const wins = slidingWindows(10, 4);
    sliding.forEach((clip, k) => expect(Array.from(clip.data)).toEqual(Array.from(evalClip(gatherFrames(video, wins[k]!), { size: 16 }).data)));
    expect(loadEvalWindows(cacheDir(), s.id, { frames: 4, size: 16, protocol: 'even', numClips: 3 })).toHaveLength(3);
  });
});
