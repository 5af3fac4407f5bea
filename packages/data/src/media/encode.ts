import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { tempPathFor } from '@ccl/base/node';
import { resolveFfmpegPath, TextTail } from './ffmpeg';

export interface EncodeVideoInput {
  width: number;
  height: number;
  fps: number;
  /** RGB frames, each `[H, W, 3]`. */
  frames: Iterable<Uint8Array>;
  /** Mono float PCM in [-1, 1] (optional). */
  audio?: { sampleRate: number; samples: Float32Array };
}

/** Encoder presets by name (a registry, so adding a codec is one entry). */
export const VIDEO_CODECS: Record<string, { video: string[]; audio: string[]; container: string }> = {
  /** H.264 (yuv420p) + AAC in mp4: what real datasets contain. */
  h264: { video: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'], audio: ['-c:a', 'aac', '-b:a', '96k'], container: 'mp4' },
  /** Lossless RGB H.264 (decodes back to the exact input pixels) + AAC: for pixel tests. */
  'h264-lossless-rgb': { video: ['-c:v', 'libx264rgb', '-preset', 'veryfast', '-qp', '0'], audio: ['-c:a', 'aac', '-b:a', '96k'], container: 'mp4' },
  /** MPEG-4 part 2 + AAC: a fallback for ffmpeg builds without libx264. */
  mpeg4: { video: ['-c:v', 'mpeg4', '-q:v', '3', '-pix_fmt', 'yuv420p'], audio: ['-c:a', 'aac', '-b:a', '96k'], container: 'mp4' },
};

async function writeAll(stream: Writable, chunks: Iterable<Uint8Array>): Promise<void> {
  for (const c of chunks) {
    if (!stream.write(c))
      await new Promise<void>((resolve, reject) => {
        // remove the other listener whichever fires, or 'error' listeners pile up one per back-pressure wait
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          stream.off('drain', onDrain);
          reject(err);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
  }
  await new Promise<void>((resolve) => stream.end(resolve));
}

function* floatBytes(samples: Float32Array, chunk = 16384): Generator<Uint8Array> {
  for (let i = 0; i < samples.length; i += chunk) {
    const part = samples.subarray(i, Math.min(samples.length, i + chunk));
    const b = Buffer.alloc(part.length * 4);
    for (let k = 0; k < part.length; k++) b.writeFloatLE(part[k] as number, 4 * k);
    yield b;
  }
}

/**
 * Encodes RGB frames (and optional mono audio) to a video file through ffmpeg pipes: frames go to
 * stdin as `rawvideo rgb24`, audio to a second pipe (fd 3) as `f32le`. Written to a temporary file and
 * renamed, so `outFile` is either complete or absent.
 */
export async function encodeVideo(outFile: string, input: EncodeVideoInput, codec: keyof typeof VIDEO_CODECS | string = 'h264'): Promise<void> {
  const preset = VIDEO_CODECS[codec];
  if (!preset) throw new Error(`encodeVideo: unknown codec preset '${codec}' (known: ${Object.keys(VIDEO_CODECS).join(', ')})`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${tempPathFor(outFile)}.${preset.container}`;
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${input.width}x${input.height}`,
    '-r',
    String(input.fps),
    '-i',
    'pipe:0',
  ];
  if (input.audio) args.push('-f', 'f32le', '-ar', String(input.audio.sampleRate), '-ac', '1', '-i', 'pipe:3');
  args.push('-map', '0:v');
  if (input.audio) args.push('-map', '1:a');
  args.push(...preset.video);
  if (input.audio) args.push(...preset.audio);
  args.push('-f', preset.container, tmp);
  const proc = spawn(resolveFfmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  const stderr = new TextTail();
  proc.stderr?.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('error', (e) => reject(new Error(`${outFile}: cannot start ffmpeg: ${e.message}`)));
    proc.on('close', (code) => resolve(code));
  });
  const audioPipe = proc.stdio[3] as Writable;
  audioPipe.on('error', () => undefined);
  proc.stdin?.on('error', () => undefined);
  try {
    const writes = [writeAll(proc.stdin as Writable, input.frames)];
    if (input.audio) writes.push(writeAll(audioPipe, floatBytes(input.audio.samples)));
    else audioPipe.end();
    await Promise.all(writes);
    const code = await exited;
    if (code !== 0) throw new Error(`${outFile}: ffmpeg failed encoding (exit ${code}): ${stderr.toString() || 'no message'}`);
    fs.renameSync(tmp, outFile);
  } catch (err) {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
