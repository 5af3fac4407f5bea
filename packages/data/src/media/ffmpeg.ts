import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { EnvironmentError } from '../io/environment-error';

/** Loads packages relative to this module (works in the CJS and ESM builds: tsup `shims`). */
export const localRequire = createRequire(__filename);

/**
 * The ffmpeg binary: `$CCL_FFMPEG` when set, else the static build shipped by `@ffmpeg-installer/ffmpeg`.
 * Throws an {@link EnvironmentError} when the file does not exist.
 */
export function resolveFfmpegPath(): string {
  const fromEnv = process.env.CCL_FFMPEG;
  let p: string;
  if (fromEnv && fromEnv.length > 0) p = fromEnv;
  else {
    try {
      p = (localRequire('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch (err) {
      throw new EnvironmentError(`ffmpeg not found: set CCL_FFMPEG or install @ffmpeg-installer/ffmpeg (${(err as Error).message})`, { cause: err });
    }
  }
  if (!fs.existsSync(p)) throw new EnvironmentError(`ffmpeg not found at ${p}${fromEnv ? ' (from CCL_FFMPEG)' : ''}`);
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

/** Signals that stop ffmpeg from outside (the out-of-memory killer, a user): not the input's fault. */
const KILLED_FROM_OUTSIDE: ReadonlySet<string> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP']);

/** ffmpeg could not be started (missing, not executable, no processes left): an {@link EnvironmentError}. */
export function ffmpegStartError(what: string, ffmpegPath: string, err: Error): EnvironmentError {
  return new EnvironmentError(`${what}: cannot start ffmpeg (${ffmpegPath}): ${err.message}`, { cause: err });
}

/**
 * The error for an ffmpeg run that ended badly, `<failed> (<exit code or signal>): <stderr's tail>`: a
 * plain Error when ffmpeg refused the input (its exit code, or a crash on it), an
 * {@link EnvironmentError} when it was killed from outside.
 */
export function ffmpegExitError(failed: string, code: number | null, signal: NodeJS.Signals | null, stderr: TextTail): Error {
  const message = `${failed} (${signal ?? `exit ${code}`}): ${stderr.toString() || 'no message'}`;
  return signal !== null && KILLED_FROM_OUTSIDE.has(signal) ? new EnvironmentError(message) : new Error(message);
}

/** Runs ffmpeg to completion, collecting stdout; rejects with `what` and stderr's tail on failure. */
export function runFfmpeg(args: readonly string[], what: string, ffmpegPath = resolveFfmpegPath()): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err = new TextTail();
    proc.stdout.on('data', (c: Buffer) => out.push(c));
    proc.stderr.on('data', (c: Buffer) => err.push(c));
    proc.on('error', (e) => reject(ffmpegStartError(what, ffmpegPath, e)));
    proc.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(ffmpegExitError(`${what}: ffmpeg failed`, code, signal, err));
    });
  });
}
