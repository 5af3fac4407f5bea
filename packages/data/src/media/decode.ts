import { spawn } from 'node:child_process';
import type { MediaProbe } from './probe';
import { probeMedia } from './probe';
import { ffmpegExitError, ffmpegStartError, resolveFfmpegPath, runFfmpeg, TextTail } from './ffmpeg';

export interface DecodeVideoOptions {
  /** Resize so the short side is this many pixels, keeping the aspect ratio (default 240). `null` keeps the native size. */
  shortSide?: number | null;
  /** Resample to this constant frame rate; default: every decoded frame once (the native rate; VFR stays VFR). */
  fps?: number;
  /** Start of a trimmed segment, in seconds. */
  startS?: number;
  /** Length of a trimmed segment, in seconds. */
  durationS?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** A probe of the file made earlier (skips probing again). */
  probe?: MediaProbe;
}

/** One RGB frame, row-major `[height, width, 3]`, values 0-255. */
export interface VideoFrame {
  index: number;
  width: number;
  height: number;
  data: Uint8Array; // [H, W, 3]
}

/**
 * Output size for a short-side resize: the short side becomes `shortSide` and the long side is scaled
 * by the same factor and rounded to nearest, as ffmpeg's `scale=-1:S` computes it
 * (`av_rescale(S, long, short)`).
 */
export function shortSideSize(width: number, height: number, shortSide: number | null): { width: number; height: number } {
  if (shortSide === null) return { width, height };
  if (!(Number.isInteger(shortSide) && shortSide > 0)) throw new Error(`shortSide must be a positive integer, got ${shortSide}`);
  if (width <= height) return { width: shortSide, height: Math.round((height * shortSide) / width) };
  return { width: Math.round((width * shortSide) / height), height: shortSide };
}

function segmentArgs(o: { startS?: number; durationS?: number }): string[] {
  const a: string[] = [];
  if (o.startS !== undefined) a.push('-ss', String(o.startS));
  return a;
}

/**
 * Decodes a video's frames with ffmpeg and streams them as raw RGB (`rgb24`), resized to the short
 * side (default 240, bilinear). Frames are read from ffmpeg's stdout as they are produced, so long
 * videos never sit in memory whole; breaking out of the loop stops ffmpeg. ffmpeg runs with `-xerror`,
 * so a corrupt or truncated stream fails with an Error naming the file instead of yielding fewer frames.
 */
export async function* decodeVideoFrames(file: string, options: DecodeVideoOptions = {}): AsyncGenerator<VideoFrame> {
  const probe = options.probe ?? (await probeMedia(file));
  const size = shortSideSize(probe.width, probe.height, options.shortSide === undefined ? 240 : options.shortSide);
  const filters: string[] = [];
  if (size.width !== probe.width || size.height !== probe.height) filters.push(`scale=${size.width}:${size.height}:flags=bilinear`);
  const args = ['-nostdin', '-v', 'error', '-xerror', ...segmentArgs(options), '-i', file];
  if (options.durationS !== undefined) args.push('-t', String(options.durationS));
  if (filters.length > 0) args.push('-vf', filters.join(','));
  if (options.fps !== undefined) args.push('-r', String(options.fps), '-vsync', 'cfr');
  else args.push('-vsync', 'passthrough');
  if (options.maxFrames !== undefined) args.push('-frames:v', String(options.maxFrames));
  args.push('-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const ffmpegPath = resolveFfmpegPath();
  const proc = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new TextTail();
  proc.stderr.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    proc.on('error', (e) => reject(ffmpegStartError(file, ffmpegPath, e)));
    proc.on('close', (code, signal) => resolve({ code, signal }));
  });
  const frameBytes = size.width * size.height * 3;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        yield { index: index++, width: size.width, height: size.height, data };
      }
    }
    const { code, signal } = await exited;
    finished = true;
    if (code !== 0) throw ffmpegExitError(`${file}: ffmpeg failed decoding video`, code, signal, stderr);
    if (pending.length > 0) throw new Error(`${file}: decoded video ended inside a frame (${pending.length} of ${frameBytes} bytes)`);
    if (index === 0) throw new Error(`${file}: no frames decoded`);
  } finally {
    if (!finished && proc.exitCode === null) proc.kill('SIGKILL');
  }
}

/** A whole decoded clip in one buffer. */
export interface DecodedVideo {
  frames: Uint8Array; // [T, H, W, 3]
  frameCount: number;
  width: number;
  height: number;
  probe: MediaProbe;
}

/** Decodes all frames (or a segment / `maxFrames`) into one `[T, H, W, 3]` buffer; see {@link decodeVideoFrames}. */
export async function decodeVideo(file: string, options: DecodeVideoOptions = {}): Promise<DecodedVideo> {
  const probe = options.probe ?? (await probeMedia(file));
  const parts: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  for await (const f of decodeVideoFrames(file, { ...options, probe })) {
    parts.push(f.data);
    width = f.width;
    height = f.height;
  }
  const frames = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    frames.set(p, off);
    off += p.length;
  }
  return { frames, frameCount: parts.length, width, height, probe };
}

export interface DecodeAudioOptions {
  /** Output sample rate in Hz (default 32000, the rate of PANNs Cnn14). */
  sampleRate?: number;
  startS?: number;
  durationS?: number;
  probe?: MediaProbe;
}

/**
 * Decodes a file's audio to mono float32 PCM at `sampleRate` (channels averaged by ffmpeg's `-ac 1`
 * downmix, resampled by ffmpeg's default resampler). A file without an audio stream is an Error naming it.
 */
export async function decodeAudio(file: string, options: DecodeAudioOptions = {}): Promise<Float32Array> {
  let probe: MediaProbe | null = options.probe ?? null;
  if (!probe) {
    try {
      probe = await probeMedia(file);
    } catch (err) {
      // probeMedia describes videos; an audio-only file (WAV, M4A) is fine here and decodes below.
      if (!/no video stream \(.* with audio only\)/.test((err as Error).message)) throw err;
    }
  }
  if (probe && !probe.hasAudio) throw new Error(`${file}: no audio stream to decode`);
  const rate = options.sampleRate ?? 32000;
  if (!(Number.isInteger(rate) && rate > 0)) throw new Error(`${file}: sample rate must be a positive integer, got ${rate}`);
  const args = ['-nostdin', '-v', 'error', '-xerror', ...segmentArgs(options), '-i', file];
  if (options.durationS !== undefined) args.push('-t', String(options.durationS));
  args.push('-vn', '-sn', '-ac', '1', '-ar', String(rate), '-f', 'f32le', 'pipe:1');
  const out = await runFfmpeg(args, `${file}: decoding audio`);
  const samples = new Float32Array(Math.floor(out.length / 4));
  for (let i = 0; i < samples.length; i++) samples[i] = out.readFloatLE(4 * i);
  return samples;
}
