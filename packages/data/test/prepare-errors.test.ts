import * as fs from 'node:fs';
import * as path from 'node:path';
import { isEnvironmentError, type Manifest } from '../src';
import { clipPath, encodeClipFile, openClipFile, readClipFrames } from '../src/node';
import { manifestOfCachedSamples, closeMediaInfo, generateSyntheticAV, prepareClipCache } from '../src/media';
import { tempDir } from './helpers';

// A full disk, for real: temporary files opened under MOCK_FULL_DISK_UNDER are /dev/full, where every write
// fails with ENOSPC (a chmod'ed folder would not stop root, who runs the tests).
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...actual,
    openSync: (file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      const under = process.env.MOCK_FULL_DISK_UNDER;
      if (under && String(file).startsWith(under) && String(file).endsWith('.tmp')) return actual.openSync('/dev/full', flags ?? 'r');
      return actual.openSync(file, flags ?? 'r', mode);
    },
  };
});

const dir = tempDir('ccl-prepare-errors-');
let manifest: Manifest;
const GOOD = 4;

function clipBytes(cacheDir: string): Map<string, Buffer> {
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
    seed: 3,
    numClasses: 2,
    videosPerClass: 2,
    width: 32,
    height: 24,
    frames: 6,
    fps: 6,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
  });
  fs.writeFileSync(path.join(gen.manifest.root!, 'random.mp4'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255)));
  manifest = {
    ...gen.manifest,
    samples: [...gen.manifest.samples, { id: 'bad-random', label: gen.manifest.classes[0]!, split: 'train', video: 'random.mp4' }],
  };
});
afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("prepareClipCache: errors that are not the video's fault are fatal", () => {
  it('a full disk while writing a clip aborts, naming the clip file and the problem; what was cached stays', async () => {
    const cacheDir = path.join(dir, 'cache-full-disk');
    await prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 1 });
    const lost = manifest.samples[1]!.id;
    fs.rmSync(clipPath(cacheDir, lost));
    const before = clipBytes(cacheDir);
    process.env.MOCK_FULL_DISK_UNDER = path.join(cacheDir, 'clips');
    let error: Error | undefined;
    try {
      await prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 2 });
    } catch (err) {
      error = err as Error;
    } finally {
      delete process.env.MOCK_FULL_DISK_UNDER;
    }
    expect(error?.message).toMatch(new RegExp(`${path.basename(clipPath(cacheDir, lost)).replace(/[.%]/g, '\\$&')}: .*ENOSPC`));
    expect(error?.message).not.toContain('\n');
    expect(clipBytes(cacheDir)).toEqual(before); // no entry lost, no temporary file left
  });

  it('a missing ffmpeg aborts instead of skipping every video', async () => {
    const missing = path.join(dir, 'no-such-ffmpeg');
    process.env.CCL_FFMPEG = missing;
    try {
      await expect(prepareClipCache({ manifest, cacheDir: path.join(dir, 'cache-no-ffmpeg'), shortSide: null, concurrency: 1 })).rejects.toThrow(
        `ffmpeg not found at ${missing}`,
      );
    } finally {
      delete process.env.CCL_FFMPEG;
    }
  });

  it('tells environment errors (errno codes, also as a cause) from media errors', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
    for (const code of ['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENOMEM', 'EIO']) expect(isEnvironmentError(errno(code))).toBe(true);
    expect(isEnvironmentError(new Error('x.mp4: cannot read media file', { cause: errno('EACCES') }))).toBe(true);
    expect(isEnvironmentError(new Error('x.mp4: not a recognised media file (3000 bytes of unknown format)'))).toBe(false);
    expect(isEnvironmentError(new Error('x.mp4: cannot read media file', { cause: errno('ENOENT') }))).toBe(false);
  });
});

describe('prepareClipCache: a broken video is skipped', () => {
  it('with its reason in the report, and left out of the manifest of cached samples', async () => {
    const cacheDir = path.join(dir, 'cache-skip');
    const report = await prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 2 });
    expect(report.skipped).toEqual([
      { id: 'bad-random', file: path.join(manifest.root!, 'random.mp4'), reason: expect.stringMatching(/random\.mp4: not a recognised media file/) },
    ]);
    const cached = manifestOfCachedSamples(manifest, report);
    expect(cached.samples.map((s) => s.id)).toEqual(manifest.samples.slice(0, GOOD).map((s) => s.id));
    expect(cached.classes).toEqual(manifest.classes);
    for (const s of cached.samples) expect(fs.existsSync(clipPath(cacheDir, s.id))).toBe(true);
  });
});

describe('prepareClipCache: transform settings', () => {
  const cacheDir = (): string => path.join(dir, 'cache-settings');

  it('rebuilds clips cached with another short side or audio rate, and reuses matching ones', async () => {
    const first = await prepareClipCache({ manifest, cacheDir: cacheDir(), shortSide: null, concurrency: 2 });
    expect([first.prepared, first.rebuilt]).toEqual([GOOD, 0]);
    const id = manifest.samples[0]!.id;
    expect(openClipFile(clipPath(cacheDir(), id)).header).toMatchObject({ h: 24, w: 32, settings: { shortSide: null, audioSampleRate: null, segment: null } });

    const smaller = await prepareClipCache({ manifest, cacheDir: cacheDir(), shortSide: 12, concurrency: 2 });
    expect([smaller.prepared, smaller.rebuilt, smaller.alreadyCached]).toEqual([GOOD, GOOD, 0]);
    const info = openClipFile(clipPath(cacheDir(), id));
    expect(info.header).toMatchObject({ h: 12, w: 16, settings: { shortSide: 12 } });
    expect(readClipFrames(info, [0])).toHaveLength(12 * 16 * 3);

    const same = await prepareClipCache({ manifest, cacheDir: cacheDir(), shortSide: 12, concurrency: 2 });
    expect([same.prepared, same.rebuilt, same.alreadyCached]).toEqual([0, 0, GOOD]);

    const withAudio = await prepareClipCache({ manifest, cacheDir: cacheDir(), shortSide: 12, audioSampleRate: 8000, concurrency: 2 });
    expect([withAudio.rebuilt, withAudio.alreadyCached]).toEqual([GOOD, 0]);
    expect(openClipFile(clipPath(cacheDir(), id)).header.audio?.sampleRate).toBe(8000);
  });

  it('rebuilds a clip written before settings were recorded', async () => {
    const file = clipPath(cacheDir(), manifest.samples[0]!.id);
    const info = openClipFile(file);
    const { settings, framesCrc32, ...old } = info.header;
    expect(settings).toBeDefined();
    expect(framesCrc32).toEqual(expect.any(Number));
    const frames = readClipFrames(
      info,
      Array.from({ length: info.header.t }, (_, i) => i),
    );
    fs.writeFileSync(file, encodeClipFile({ ...old, audio: undefined }, frames));
    const report = await prepareClipCache({ manifest, cacheDir: cacheDir(), shortSide: 12, audioSampleRate: 8000, concurrency: 2 });
    expect([report.rebuilt, report.alreadyCached]).toEqual([1, GOOD - 1]);
    expect(openClipFile(file).header.settings).toEqual({ shortSide: 12, audioSampleRate: 8000, segment: null });
  });
});

describe('prepareClipCache: one run per cache folder', () => {
  it('refuses a second prepare into the same folder while the first runs, and allows it afterwards', async () => {
    const cacheDir = path.join(dir, 'cache-locked');
    const first = prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 1 });
    await expect(prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 1 })).rejects.toThrow(
      new RegExp(`${cacheDir.replace(/[.]/g, '\\.')}: already locked by this process \\(prepareClipCache`),
    );
    expect((await first).prepared).toBe(GOOD);
    expect((await prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 1 })).alreadyCached).toBe(GOOD);
  });
});
