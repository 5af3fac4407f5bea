import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomicSync } from '../io/atomic';
import { idToFileName, resolveInside } from '../io/safe-names';
import type { Manifest } from '../manifest/schema';
import { decodeAudio, decodeVideo } from '../media/decode';
import { probeMedia } from '../media/probe';
import { resolveVideoPath } from '../media/probe-manifest';
import { openClipFile, verifyClipFile, writeClipFile } from './clip-file';

export interface PrepareOptions {
  manifest: Manifest;
  cacheDir: string;
  /** Short side of cached frames (default 240, METHOD §6); null keeps the native size. */
  shortSide?: number | null;
  /** Also cache mono audio at this rate (Hz); videos without audio are cached without it. */
  audioSampleRate?: number;
  /** Videos decoded at once (default: the number of CPU cores; each decode is one ffmpeg process). */
  concurrency?: number;
  /** Stop after the videos in flight (the rest are left for a later, resumed run). */
  signal?: AbortSignal;
  /** Re-check finished entries' CRC on resume (default false: header and size only). */
  verifyExisting?: boolean;
  onProgress?: (event: { id: string; status: 'cached' | 'skipped' | 'done'; done: number; total: number }) => void;
}

export interface PrepareSkip {
  id: string;
  file: string;
  reason: string;
}

/** What `prepare` did; also written to `<cacheDir>/prepare-report.json`. */
export interface PrepareReport {
  dataset: string;
  total: number;
  /** Newly decoded in this run. */
  prepared: number;
  /** Already in the cache from an earlier run. */
  alreadyCached: number;
  skipped: PrepareSkip[];
  aborted: boolean;
}

/** File name of a sample in the cache: the id through the safe-name mapping (io/safe-names.ts), readable, not hashed. */
export function clipFileName(id: string): string {
  return idToFileName(id, '.clip');
}

/** `<cacheDir>/clips/<clipFileName(id)>`, checked to stay inside the cache. */
export function clipPath(cacheDir: string, id: string): string {
  return resolveInside(cacheDir, ['clips', clipFileName(id)]);
}

/**
 * Decodes every manifest video once into `<cacheDir>/clips/<id>.clip` (one binary file per video:
 * frames at the short side, optional audio; see clip-file.ts), `concurrency` ffmpeg decodes at a time.
 * Resumable and crash-safe: each entry is written to a temporary file and renamed, so an entry either
 * exists whole or not at all; a rerun skips entries that exist and removes stale temporary files.
 * Bad videos (truncated, random bytes, no video stream...) are skipped and listed with the reason in
 * `prepare-report.json`; the run continues and nothing already cached is touched.
 * Trimmed segments (`sample.segment`) are cached as the segment only.
 */
export async function prepareClipCache(options: PrepareOptions): Promise<PrepareReport> {
  const { manifest, cacheDir } = options;
  const clipsDir = path.join(cacheDir, 'clips');
  fs.mkdirSync(clipsDir, { recursive: true });
  for (const f of fs.readdirSync(clipsDir)) if (f.endsWith('.tmp')) fs.rmSync(path.join(clipsDir, f), { force: true });
  const report: PrepareReport = { dataset: manifest.dataset, total: manifest.samples.length, prepared: 0, alreadyCached: 0, skipped: [], aborted: false };
  let done = 0;
  const queue = manifest.samples.slice();
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) {
        report.aborted = true;
        return;
      }
      const s = queue.shift();
      if (!s) return;
      const out = clipPath(cacheDir, s.id);
      const file = s.video ? resolveVideoPath(manifest, s.video) : '';
      let status: 'cached' | 'skipped' | 'done' = 'done';
      try {
        if (fs.existsSync(out)) {
          try {
            if (options.verifyExisting) verifyClipFile(out);
            else openClipFile(out);
            status = 'cached';
          } catch {
            fs.rmSync(out, { force: true }); // damaged entry: rebuild it
          }
        }
        if (status !== 'cached') {
          if (!s.video) throw new Error(`sample '${s.id}' has no video path`);
          const probe = await probeMedia(file);
          const seg: { startS?: number; durationS?: number } = {};
          if (s.segment) {
            seg.startS = s.segment[0];
            seg.durationS = s.segment[1] - s.segment[0];
          }
          const video = await decodeVideo(file, { ...seg, probe, shortSide: options.shortSide === undefined ? 240 : options.shortSide });
          let audio: Float32Array | undefined;
          if (options.audioSampleRate !== undefined && probe.hasAudio) audio = await decodeAudio(file, { ...seg, probe, sampleRate: options.audioSampleRate });
          const header: Parameters<typeof writeClipFile>[1] = { id: s.id, t: video.frameCount, h: video.height, w: video.width, c: 3, fps: probe.fps, source: s.video };
          if (audio) header.audio = { sampleRate: options.audioSampleRate as number, samples: audio.length };
          writeClipFile(out, header, video.frames, audio);
        }
      } catch (err) {
        status = 'skipped';
        report.skipped.push({ id: s.id, file, reason: (err as Error).message });
      }
      if (status === 'cached') report.alreadyCached++;
      else if (status === 'done') report.prepared++;
      done++;
      options.onProgress?.({ id: s.id, status, done, total: report.total });
    }
  };
  const n = Math.max(1, options.concurrency ?? os.cpus().length);
  await Promise.all(Array.from({ length: n }, worker));
  report.skipped.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  writeJsonAtomicSync(path.join(cacheDir, 'prepare-report.json'), report);
  return report;
}
