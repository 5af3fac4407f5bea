import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

/** Loads packages relative to this module (works in the CJS and ESM builds: tsup `shims`). */
export const localRequire = createRequire(__filename);

/**
 * The ffmpeg binary: `$CCL_FFMPEG` when set, else the static build shipped by `@ffmpeg-installer/ffmpeg`.
 * Throws when the file does not exist.
 */
export function resolveFfmpegPath(): string {
  const fromEnv = process.env.CCL_FFMPEG;
  let p: string;
  if (fromEnv && fromEnv.length > 0) p = fromEnv;
  else {
    try {
      p = (localRequire('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch (err) {
      throw new Error(`ffmpeg not found: set CCL_FFMPEG or install @ffmpeg-installer/ffmpeg (${(err as Error).message})`);
    }
  }
  if (!fs.existsSync(p)) throw new Error(`ffmpeg not found at ${p}${fromEnv ? ' (from CCL_FFMPEG)' : ''}`);
  return p;
}

/** Keeps the last `max` characters of a growing text (ffmpeg's stderr). */
export class TextTail {
  private text = '';
  constructor(private readonly max = 4000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text.trim();
  }
}

/** Runs ffmpeg to completion, collecting stdout; rejects with `what` and stderr's tail on failure. */
export function runFfmpeg(args: readonly string[], what: string, ffmpegPath = resolveFfmpegPath()): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err = new TextTail();
    proc.stdout.on('data', (c: Buffer) => out.push(c));
    proc.stderr.on('data', (c: Buffer) => err.push(c));
    proc.on('error', (e) => reject(new Error(`${what}: cannot start ffmpeg (${ffmpegPath}): ${e.message}`)));
    proc.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${what}: ffmpeg failed (${signal ?? `exit ${code}`}): ${err.toString() || 'no message'}`));
    });
  });
}
