import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { EnvironmentError } from '../io/environment-error';

/**
 * Loads packages relative to this module: `import.meta.url` in the ESM build (no tsup `shims`, whose `path` and
 * `url` imports would land in a chunk the browser-safe main entry shares; jest's swc compiles it to the CommonJS
 * equivalent), the module's own `__filename` in a CommonJS bundle, where esbuild leaves `import.meta` empty.
 * (Not `typeof __filename` first: `node -e` defines a global `__filename` that an ES module would see.)
 */
export const localRequire = createRequire(import.meta.url ?? __filename);

/** How to get an ffmpeg, the end of every "ffmpeg not found" message. */
export const FFMPEG_HELP =
  'install one with `npm install @ffmpeg-installer/ffmpeg` (a static build for this platform), put an `ffmpeg` on PATH, or set CCL_FFMPEG to its path';

/** The static build of `@ffmpeg-installer/ffmpeg` (an optional peer dependency) when it is installed, else undefined. */
function installedFfmpeg(): string | undefined {
  try {
    return (localRequire('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/** The first executable `ffmpeg` (`ffmpeg.exe` on Windows) in the folders of `searchPath` (a PATH value), else undefined. */
export function ffmpegOnPath(searchPath: string | undefined): string | undefined {
  const name = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  for (const folder of (searchPath ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not there or not executable: the next folder
    }
  }
  return undefined;
}

/**
 * Where the ffmpeg binary is, in this order: `$CCL_FFMPEG` when set; else the static build of
 * `@ffmpeg-installer/ffmpeg` when that optional peer dependency is installed; else the first `ffmpeg` on
 * PATH. Throws an {@link EnvironmentError} saying how to get one when there is none, or when `$CCL_FFMPEG`
 * names a file that does not exist. `installed` is for tests (it stands for the optional package).
 */
export function resolveFfmpegPath(env: NodeJS.ProcessEnv = process.env, installed: () => string | undefined = installedFfmpeg): string {
  const fromEnv = env.CCL_FFMPEG;
  if (fromEnv && fromEnv.length > 0) {
    if (!fs.existsSync(fromEnv)) throw new EnvironmentError(`ffmpeg not found at ${fromEnv} (from CCL_FFMPEG)`);
    return fromEnv;
  }
  const bundled = installed();
  if (bundled !== undefined) {
    if (!fs.existsSync(bundled)) throw new EnvironmentError(`ffmpeg not found at ${bundled} (from @ffmpeg-installer/ffmpeg): reinstall it, or ${FFMPEG_HELP}`);
    return bundled;
  }
  const onPath = ffmpegOnPath(env.PATH);
  if (onPath !== undefined) return onPath;
  throw new EnvironmentError(`ffmpeg not found: ${FFMPEG_HELP}`);
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
