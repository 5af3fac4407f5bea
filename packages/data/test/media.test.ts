import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng } from '@ccl/base';
import { MANIFEST_SCHEMA } from '../src';
import {
  closeMediaInfo,
  decodeAudio,
  decodeVideo,
  decodeVideoFrames,
  encodeVideo,
  probeMedia,
  probeManifest,
  ffmpegOnPath,
  resolveFfmpegPath,
  runFfmpeg,
  shortSideSize,
} from '../src/media';
import type { Manifest } from '../src';
import { tempDir } from './helpers';

const dir = tempDir();
const W = 20;
const H = 14;
const FPS = 10;
const T = 6;
const SR = 16000;
const frames: Uint8Array[] = [];
const tone = new Float32Array(SR * 0.6);

const p = (n: string): string => path.join(dir, n);

beforeAll(async () => {
  const rng = createRng(42);
  for (let t = 0; t < T; t++) frames.push(Uint8Array.from({ length: W * H * 3 }, () => rng.int(0, 255)));
  for (let i = 0; i < tone.length; i++) tone[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / SR);
  await encodeVideo(p('lossless.mp4'), { width: W, height: H, fps: FPS, frames, audio: { sampleRate: SR, samples: tone } }, 'h264-lossless-rgb');
  await encodeVideo(p('silent.mp4'), { width: 16, height: 12, fps: 25, frames: frames.slice(0, 3).map(() => new Uint8Array(16 * 12 * 3).fill(90)) });
  const ff = (args: string[]): Promise<Buffer> => runFfmpeg(['-v', 'error', '-y', ...args], 'fixture');
  await ff(['-f', 'lavfi', '-i', `sine=frequency=300:sample_rate=${SR}`, '-t', '0.5', '-c:a', 'aac', p('audio-only.m4a')]);
  await ff([
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=32x24:rate=25',
    '-f',
    'lavfi',
    '-i',
    `sine=sample_rate=${SR}`,
    '-t',
    '2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-movflags',
    '+faststart',
    p('faststart.mp4'),
  ]);
  // Variable frame rate: frames 0-9 at 25 fps, then 1/12.5 s apart.
  await ff([
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=32x24:rate=25',
    '-t',
    '1',
    '-vf',
    "setpts='if(lt(N,10),N,2*N-10)/25/TB'",
    '-vsync',
    'vfr',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    p('vfr.mp4'),
  ]);
  const whole = fs.readFileSync(p('lossless.mp4'));
  fs.writeFileSync(p('truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
  const fast = fs.readFileSync(p('faststart.mp4'));
  fs.writeFileSync(p('truncated-faststart.mp4'), fast.subarray(0, Math.floor(fast.length / 2)));
  const rng2 = createRng(7);
  fs.writeFileSync(
    p('random.mp4'),
    Uint8Array.from({ length: 4096 }, () => rng2.int(0, 255)),
  );
  fs.writeFileSync(p('zero.mp4'), new Uint8Array(0));
});

afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('probe (mediainfo.js)', () => {
  it('reports the parameters the file was encoded with', async () => {
    const probe = await probeMedia(p('lossless.mp4'));
    expect(probe).toMatchObject({
      width: W,
      height: H,
      fps: FPS,
      frameCount: T,
      hasAudio: true,
      sampleRate: SR,
      videoCodec: 'AVC',
      audioCodec: 'AAC',
      container: 'MPEG-4',
      frameRateMode: 'CFR',
      rotation: 0,
    });
    expect(probe.durationS).toBeCloseTo(T / FPS, 2);
    const silent = await probeMedia(p('silent.mp4'));
    expect(silent).toMatchObject({ hasAudio: false, width: 16, height: 12, frameCount: 3, fps: 25 });
    expect(silent.sampleRate).toBeUndefined();
  });

  it('flags a variable-frame-rate file', async () => {
    expect((await probeMedia(p('vfr.mp4'))).frameRateMode).toBe('VFR');
  });

  it('gives clear errors naming the file for bad media', async () => {
    await expect(probeMedia(p('zero.mp4'))).rejects.toThrow(/zero\.mp4: empty file \(0 bytes\)/);
    await expect(probeMedia(p('random.mp4'))).rejects.toThrow(/random\.mp4: not a recognised media file/);
    await expect(probeMedia(p('truncated.mp4'))).rejects.toThrow(
      /truncated\.mp4: MPEG-4 container without any audio\/video stream: the file is truncated or corrupt/,
    );
    await expect(probeMedia(p('truncated-faststart.mp4'))).rejects.toThrow(
      /truncated-faststart\.mp4: truncated: its streams declare \d+ bytes but the file has \d+/,
    );
    await expect(probeMedia(p('audio-only.m4a'))).rejects.toThrow(/audio-only\.m4a: no video stream/);
    await expect(probeMedia(p('missing.mp4'))).rejects.toThrow(/missing\.mp4: cannot read media file/);
  });

  it('caches probes in a manifest and lists failures without stopping', async () => {
    const m: Manifest = {
      schema: MANIFEST_SCHEMA,
      version: 1,
      dataset: 't',
      root: dir,
      classes: ['a'],
      samples: [
        { id: 'x', label: 'a', split: 'train', video: 'silent.mp4' },
        { id: 'y', label: 'a', split: 'train', video: 'random.mp4' },
      ],
    };
    const { manifest, failures } = await probeManifest(m);
    expect(manifest.samples[0]!.probe).toMatchObject({ hasAudio: false, frameCount: 3 });
    expect(manifest.samples[1]!.probe).toBeUndefined();
    expect(failures).toEqual([{ id: 'y', file: p('random.mp4'), reason: expect.stringMatching(/not a recognised media file/) }]);
  });
});

describe('decode (ffmpeg)', () => {
  it('returns exactly the encoded pixels for a lossless file at native size', async () => {
    const v = await decodeVideo(p('lossless.mp4'), { shortSide: null });
    expect([v.frameCount, v.width, v.height]).toEqual([T, W, H]);
    for (let t = 0; t < T; t++) expect(Buffer.compare(Buffer.from(v.frames.subarray(t * W * H * 3, (t + 1) * W * H * 3)), Buffer.from(frames[t]!))).toBe(0);
  });

  it('resizes the short side like ffmpeg scale=-1:S and matches ffmpeg run directly', async () => {
    expect(shortSideSize(320, 240, 240)).toEqual({ width: 320, height: 240 });
    expect(shortSideSize(341, 256, 240)).toEqual({ width: 320, height: 240 });
    expect(shortSideSize(240, 427, 112)).toEqual({ width: 112, height: 199 });
    const v = await decodeVideo(p('lossless.mp4'), { shortSide: 7 });
    expect([v.width, v.height, v.frameCount]).toEqual([10, 7, T]);
    const direct = await runFfmpeg(
      ['-v', 'error', '-i', p('lossless.mp4'), '-vf', 'scale=-1:7:flags=bilinear', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      'direct',
    );
    expect(Buffer.compare(Buffer.from(v.frames), direct)).toBe(0);
  });

  it('streams frames and stops ffmpeg when the consumer breaks early', async () => {
    const seen: number[] = [];
    for await (const f of decodeVideoFrames(p('faststart.mp4'), { shortSide: 12 })) {
      seen.push(f.index);
      expect(f.data.length).toBe(16 * 12 * 3);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    const part = await decodeVideo(p('faststart.mp4'), { startS: 1, durationS: 0.4, shortSide: null });
    expect(part.frameCount).toBe(10);
  });

  it('keeps VFR timing by default and resamples to a constant rate on request', async () => {
    // 17 frames survive the 1-s cut: pts 0..9 then 10, 12, ..., 22 (in 1/25 s).
    const native = await decodeVideo(p('vfr.mp4'), { shortSide: null });
    expect(native.frameCount).toBe(17);
    // mediainfo's frame count of a VFR stream is an estimate (duration x mean rate), off by one here.
    expect(Math.abs(native.probe.frameCount - 17)).toBeLessThanOrEqual(1);
    // At a constant 25 fps the gaps are filled by repeated frames: pts 0..22 -> 23 frames (+-1 at the end).
    const cfr = await decodeVideo(p('vfr.mp4'), { shortSide: null, fps: 25 });
    expect(cfr.frameCount).toBeGreaterThanOrEqual(22);
    expect(cfr.frameCount).toBeLessThanOrEqual(24);
  });

  it('decodes audio to mono float PCM at the requested rate', async () => {
    const a = await decodeAudio(p('lossless.mp4'), { sampleRate: SR });
    expect(Math.abs(a.length - tone.length)).toBeLessThan(1100);
    // Compare against the source tone in the middle (AAC is lossy; allow small error and latency).
    const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(rms(a.subarray(2000, 8000))).toBeCloseTo(0.5 / Math.SQRT2, 1);
    let crossings = 0;
    for (let i = 2001; i < 8000; i++) if (a[i - 1]! < 0 !== a[i]! < 0) crossings++;
    expect(crossings / 2 / (6000 / SR)).toBeCloseTo(440, -1);
    const low = await decodeAudio(p('lossless.mp4'), { sampleRate: 8000 });
    expect(Math.abs(low.length - a.length / 2)).toBeLessThan(600);
  });

  it('fails clearly for bad input', async () => {
    await expect(decodeAudio(p('silent.mp4'))).rejects.toThrow(/silent\.mp4: no audio stream to decode/);
    await expect(decodeVideo(p('audio-only.m4a'))).rejects.toThrow(/audio-only\.m4a: no video stream/);
    await expect(decodeVideo(p('zero.mp4'))).rejects.toThrow(/zero\.mp4: empty file/);
    // Even when probing is skipped (an earlier probe of the intact file), ffmpeg -xerror catches truncation.
    const probe = await probeMedia(p('faststart.mp4'));
    await expect(decodeVideo(p('truncated-faststart.mp4'), { probe: { ...probe, file: p('truncated-faststart.mp4') } })).rejects.toThrow(
      /truncated-faststart\.mp4: ffmpeg failed decoding video/,
    );
  });

  it('honours CCL_FFMPEG', () => {
    const saved = process.env.CCL_FFMPEG;
    try {
      process.env.CCL_FFMPEG = p('no-such-ffmpeg');
      expect(() => resolveFfmpegPath()).toThrow(/ffmpeg not found at .*no-such-ffmpeg \(from CCL_FFMPEG\)/);
    } finally {
      if (saved === undefined) delete process.env.CCL_FFMPEG;
      else process.env.CCL_FFMPEG = saved;
    }
    expect(fs.existsSync(resolveFfmpegPath())).toBe(true);
  });

  it('finds ffmpeg without the optional @ffmpeg-installer/ffmpeg: on PATH, else says how to get one', () => {
    const noInstaller = (): undefined => undefined;
    const bin = p('path-bin');
    fs.mkdirSync(bin, { recursive: true });
    const notExecutable = p('path-not-executable');
    fs.mkdirSync(notExecutable, { recursive: true });
    fs.writeFileSync(path.join(notExecutable, 'ffmpeg'), '');
    fs.chmodSync(path.join(notExecutable, 'ffmpeg'), 0o644);
    const fake = path.join(bin, 'ffmpeg');
    fs.writeFileSync(fake, '#!/bin/sh\n');
    fs.chmodSync(fake, 0o755);
    const searchPath = [p('no-such-folder'), notExecutable, bin].join(path.delimiter);
    expect(ffmpegOnPath(searchPath)).toBe(fake);
    expect(resolveFfmpegPath({ PATH: searchPath }, noInstaller)).toBe(fake);
    // CCL_FFMPEG, then the installed package, come before PATH
    const fromEnv = p('env-ffmpeg');
    fs.writeFileSync(fromEnv, '');
    expect(resolveFfmpegPath({ PATH: searchPath, CCL_FFMPEG: fromEnv }, () => fake)).toBe(fromEnv);
    expect(resolveFfmpegPath({ PATH: notExecutable }, () => fake)).toBe(fake);
    // none anywhere: the message says how to get one
    expect(() => resolveFfmpegPath({ PATH: notExecutable }, noInstaller)).toThrow(
      /^ffmpeg not found: install one with `npm install @ffmpeg-installer\/ffmpeg` .*, put an `ffmpeg` on PATH, or set CCL_FFMPEG to its path$/,
    );
    expect(() => resolveFfmpegPath({}, noInstaller)).toThrow(/^ffmpeg not found: install one/);
    // an installed package whose binary is gone (a broken install) is an error, not a silent fallback
    expect(() => resolveFfmpegPath({ PATH: searchPath }, () => p('gone/ffmpeg'))).toThrow(
      /ffmpeg not found at .*gone\/ffmpeg \(from @ffmpeg-installer\/ffmpeg\): reinstall it/,
    );
  });
});
