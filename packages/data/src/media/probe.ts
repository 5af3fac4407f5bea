import * as fs from 'node:fs';
import * as path from 'node:path';
import mediaInfoFactory from 'mediainfo.js';
import type { ManifestProbe } from '../manifest/schema';
import { localRequire } from './ffmpeg';

/** What `probeMedia` reports (a superset of the manifest's cached `probe`). */
export interface MediaProbe extends ManifestProbe {
  file: string;
  sizeBytes: number;
  container: string;
  audioChannels?: number;
  /** Display rotation in degrees (0, 90, 180, 270); width/height are already the displayed ones. */
  rotation: number;
}

type Track = Record<string, unknown> & { '@type': string };
interface MediaInfoLike {
  analyzeData(size: number, read: (size: number, offset: number) => Promise<Uint8Array>): Promise<{ media?: { track: Track[] } | null }>;
  close(): void;
}

let instance: Promise<MediaInfoLike> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** The mediainfo.js WASM file, found next to the installed package (never fetched from the network). */
export function mediaInfoWasmPath(): string {
  const pkg = localRequire.resolve('mediainfo.js/package.json');
  return path.join(path.dirname(pkg), 'dist', 'MediaInfoModule.wasm');
}

function mediaInfo(): Promise<MediaInfoLike> {
  if (!instance) {
    const wasm = mediaInfoWasmPath();
    instance = mediaInfoFactory({ format: 'object', locateFile: () => wasm }) as unknown as Promise<MediaInfoLike>;
  }
  return instance;
}

/** Releases the shared mediainfo.js instance (a later probe creates a new one). */
export async function closeMediaInfo(): Promise<void> {
  if (!instance) return;
  const mi = instance;
  instance = undefined;
  await queue.catch(() => undefined);
  (await mi).close();
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim().length > 0) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

async function analyze(file: string, size: number): Promise<Track[]> {
  const mi = await mediaInfo();
  const fh = await fs.promises.open(file, 'r');
  try {
    const run = queue.then(() =>
      mi.analyzeData(size, async (chunk, offset) => {
        const buf = Buffer.alloc(Math.min(chunk, Math.max(0, size - offset)));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return buf.subarray(0, bytesRead);
      }),
    );
    queue = run.catch(() => undefined); // mediainfo.js analyses one file at a time
    const result = await run;
    return result.media?.track ?? [];
  } finally {
    await fh.close();
  }
}

/**
 * Probes a media file with mediainfo.js: duration, fps, frame count, displayed size, codecs, audio
 * presence, sample rate, frame-rate mode. For a VFR stream (`frameRateMode: 'VFR'`) `fps` is the mean
 * rate and `frameCount` mediainfo's estimate, which can be off by one; decoding gives the exact count. A file without audio is not an error (`hasAudio: false`).
 * Errors, each naming the file: missing, empty (0 bytes), not a recognised media file (random bytes),
 * container found but no streams (e.g. an mp4 truncated before its `moov` index), streams larger than
 * the file (an mp4 truncated after a front `moov`), no video stream.
 */
export async function probeMedia(file: string): Promise<MediaProbe> {
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch (err) {
    throw new Error(`${file}: cannot read media file: ${(err as Error).message}`, { cause: err }); // the cause's errno tells a missing file from a machine problem
  }
  if (size === 0) throw new Error(`${file}: empty file (0 bytes)`);
  const tracks = await analyze(file, size);
  const general = tracks.find((t) => t['@type'] === 'General');
  const video = tracks.find((t) => t['@type'] === 'Video');
  const audio = tracks.find((t) => t['@type'] === 'Audio');
  const container = str(general?.Format);
  if (!container) throw new Error(`${file}: not a recognised media file (${size} bytes of unknown format)`);
  if (!video && !audio) throw new Error(`${file}: ${container} container without any audio/video stream: the file is truncated or corrupt`);
  const declared = [video, audio].reduce((a, t) => a + (num(t?.StreamSize) ?? 0), 0);
  if (declared > size) throw new Error(`${file}: truncated: its streams declare ${declared} bytes but the file has ${size}`);
  if (!video) throw new Error(`${file}: no video stream (${container} with ${audio ? 'audio only' : 'no streams'})`);
  const rotation = ((Math.round(num(video.Rotation) ?? 0) % 360) + 360) % 360;
  let width = num(video.Width) ?? 0;
  let height = num(video.Height) ?? 0;
  if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  const fps = num(video.FrameRate) ?? num(general?.FrameRate) ?? 0;
  const durationS = num(video.Duration) ?? num(general?.Duration) ?? 0;
  if (!(width > 0 && height > 0)) throw new Error(`${file}: video stream has no frame size`);
  const frameCount = num(video.FrameCount) ?? Math.round(durationS * fps);
  const probe: MediaProbe = {
    file,
    sizeBytes: size,
    container,
    durationS,
    fps,
    frameCount,
    width,
    height,
    rotation,
    videoCodec: str(video.Format) ?? 'unknown',
    hasAudio: audio !== undefined,
    frameRateMode: str(video.FrameRate_Mode) ?? 'unknown',
  };
  if (audio) {
    probe.audioCodec = str(audio.Format) ?? 'unknown';
    const sr = num(audio.SamplingRate);
    if (sr !== undefined) probe.sampleRate = sr;
    const ch = num(audio.Channels);
    if (ch !== undefined) probe.audioChannels = ch;
  }
  return probe;
}

/** One file's probe, or why it could not be probed. */
export type FileProbe = (MediaProbe & { file: string }) | { file: string; error: string };

/** Probes each file in turn (`ccl data probe`); a file that cannot be probed gets its error, and the others are still probed. */
export async function probeFiles(files: readonly string[]): Promise<FileProbe[]> {
  const results: FileProbe[] = [];
  for (const file of files) {
    try {
      results.push({ ...(await probeMedia(file)), file });
    } catch (err) {
      results.push({ file, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}

/** The subset of a probe that manifests cache. */
export function toManifestProbe(p: MediaProbe): ManifestProbe {
  const out: ManifestProbe = {
    durationS: p.durationS,
    fps: p.fps,
    frameCount: p.frameCount,
    width: p.width,
    height: p.height,
    videoCodec: p.videoCodec,
    hasAudio: p.hasAudio,
  };
  if (p.audioCodec !== undefined) out.audioCodec = p.audioCodec;
  if (p.sampleRate !== undefined) out.sampleRate = p.sampleRate;
  if (p.frameRateMode !== undefined) out.frameRateMode = p.frameRateMode;
  return out;
}
