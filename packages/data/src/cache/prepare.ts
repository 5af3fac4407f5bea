import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomicSync } from '@ccl/base/node';
import { EnvironmentError, isEnvironmentError } from '../io/environment-error';
import { acquireFolderLock } from '../io/folder-lock';
import type { Manifest, ManifestProbe, ManifestSample } from '../manifest/schema';
import { decodeAudio, decodeVideo } from '../media/decode';
import { probeMedia, toManifestProbe } from '../media/probe';
import { resolveVideoPath } from '../media/probe-manifest';
import { openClipFile, sameClipSettings, verifyClipFile, writeClipFile, type ClipCacheSettings } from './clip-file';
import { clipPath } from './clip-paths';

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
  /**
   * Prepare only shard `index` of `count`: the samples `index`, `index + count`, ... (for a Kubernetes Indexed Job
   * or a Slurm array, every shard on the same shared cache). A shard takes no lock on the cache folder, leaves
   * other writers' temporary files alone and writes its report to `prepare-report.shard-<index>-of-<count>.json`;
   * a run without `shard` afterwards reuses every clip and writes `prepare-report.json` (and `ccl data prepare` the manifest).
   */
  shard?: { index: number; count: number };
  /**
   * Also probe each video (mediainfo.js) as it is prepared, `concurrency` at a time, instead of the caller
   * probing them all first with `probeManifest`; `onProbedManifest` then gets `manifest` with the probes (the
   * same probes `probeManifest` records for the videos that were cached). A decoded video is probed once.
   */
  probe?: boolean;
  onProbedManifest?: (manifest: Manifest) => void;
}

/** A video left out of the cache because of the video itself (corrupt, truncated, no video stream...). */
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
  /** Of `prepared`: clips that replaced a cached clip made with other transform settings (or by a version that did not record them). */
  rebuilt: number;
  /** Already in the cache from an earlier run, made with the same settings. */
  alreadyCached: number;
  skipped: PrepareSkip[];
  /** The run stopped before every video was tried (the signal, or `error`). */
  aborted: boolean;
  /** The environment error that stopped the run (disk full, no permission, ffmpeg missing...), when one did. */
  error?: string;
}

/** The transform settings of a prepare run, as {@link PrepareOptions} gives them. */
export type PrepareSettingsOptions = Pick<PrepareOptions, 'shortSide' | 'audioSampleRate'>;

/** The settings a sample's clip is made with in this run. */
export function clipSettings(options: PrepareSettingsOptions, sample: ManifestSample): ClipCacheSettings {
  return {
    shortSide: options.shortSide === undefined ? 240 : options.shortSide,
    audioSampleRate: options.audioSampleRate ?? null,
    segment: sample.segment ? [sample.segment[0], sample.segment[1]] : null,
  };
}

/** An environment error as one line naming `file` (added when the message does not name it already). */
function environmentErrorAt(file: string, what: string, err: unknown): EnvironmentError {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
  return new EnvironmentError(message.includes(file) ? message : `${file}: ${what}: ${message}`, { cause: err });
}

/** What the cache holds for one video: its clip made with the wanted settings, one made with other settings, or nothing. */
export type ClipCacheState = 'reuse' | 'stale' | 'missing';

/**
 * What is in the cache for one sample: a clip made with the wanted settings (`reuse`), one made with other
 * settings (`stale`), a damaged entry (removed here) or nothing (`missing`). An environment error while
 * reading the entry (no permission, I/O error) is thrown: the entry may be fine, so it is never removed.
 */
function cachedClipState(file: string, wanted: ClipCacheSettings, verify: boolean): ClipCacheState {
  if (!fs.existsSync(file)) return 'missing';
  try {
    const info = verify ? verifyClipFile(file) : openClipFile(file);
    return sameClipSettings(info.header.settings, wanted) ? 'reuse' : 'stale';
  } catch (err) {
    if (isEnvironmentError(err)) throw environmentErrorAt(file, 'cannot read the cached clip', err);
    fs.rmSync(file, { force: true }); // damaged entry: rebuild it
    return 'missing';
  }
}

/** A decoded video: frames `[T, H, W, 3]`, optional mono audio. */
interface DecodedClip {
  probe: ManifestProbe;
  header: Parameters<typeof writeClipFile>[1];
  frames: Uint8Array;
  audio?: Float32Array;
}

/** Probes and decodes one sample's video. Errors about the media are thrown as they are, environment errors as an {@link EnvironmentError} naming the video. */
async function decodeClip(file: string, sample: ManifestSample, settings: ClipCacheSettings): Promise<DecodedClip> {
  if (!sample.video) throw new Error(`sample '${sample.id}' has no video path`);
  try {
    const probe = await probeMedia(file);
    const seg: { startS?: number; durationS?: number } = {};
    if (settings.segment) {
      seg.startS = settings.segment[0];
      seg.durationS = settings.segment[1] - settings.segment[0];
    }
    const video = await decodeVideo(file, { ...seg, probe, shortSide: settings.shortSide });
    let audio: Float32Array | undefined;
    if (settings.audioSampleRate !== null && probe.hasAudio) audio = await decodeAudio(file, { ...seg, probe, sampleRate: settings.audioSampleRate });
    const header: DecodedClip['header'] = {
      id: sample.id,
      t: video.frameCount,
      h: video.height,
      w: video.width,
      c: 3,
      fps: probe.fps,
      source: sample.video,
      settings,
    };
    if (audio) header.audio = { sampleRate: settings.audioSampleRate as number, samples: audio.length };
    return { probe: toManifestProbe(probe), header, frames: video.frames, audio };
  } catch (err) {
    if (isEnvironmentError(err)) throw environmentErrorAt(file, 'cannot decode the video', err);
    throw err;
  }
}

/** Writes a decoded clip into the cache; any failure is an {@link EnvironmentError} naming the clip file (never the video's fault). */
function writeCachedClip(out: string, clip: DecodedClip): void {
  try {
    writeClipFile(out, clip.header, clip.frames, clip.audio);
  } catch (err) {
    throw environmentErrorAt(out, 'cannot write the cached clip', err);
  }
}

/**
 * The manifest that training reads after `prepare`: `manifest` without the samples that were skipped (they
 * stay listed, with their reasons, in the report). The class list is kept whole, so label indices do not
 * depend on which videos failed. A report of a stopped run is refused: its cache is incomplete.
 */
export function manifestOfCachedSamples(manifest: Manifest, report: PrepareReport): Manifest {
  if (report.aborted)
    throw new Error(`prepare of '${report.dataset}' stopped before every video was cached${report.error ? ` (${report.error})` : ''}; run it again`);
  if (report.total !== manifest.samples.length)
    throw new Error(`the prepare report covers ${report.total} videos, the manifest '${manifest.dataset}' has ${manifest.samples.length}: not the same run`);
  const skipped = new Set(report.skipped.map((s) => s.id));
  return { ...manifest, samples: manifest.samples.filter((s) => !skipped.has(s.id)) };
}

/** What happened to one video: decoded (`done`, or `rebuilt` over a clip made with other settings), reused (`cached`) or left out (`skipped`, with the reason). */
export type ClipPrepareStatus = 'done' | 'rebuilt' | 'cached' | 'skipped';

/** The result of preparing one video: what the local loop, a shard and a queue job all return for it. */
export interface ClipPrepareResult {
  id: string;
  status: ClipPrepareStatus;
  /** The video file (resolved against the manifest's root). */
  file: string;
  /** Why the video was skipped (a problem of the video itself). */
  reason?: string;
  /** The video's probe, as `probeManifest` records it, when the task asked for it (`probe: true`). */
  probe?: ManifestProbe;
}

/** One video's work: everything {@link prepareClip} needs, plain data (a queue job carries it as JSON). */
export interface ClipPrepareTask {
  cacheDir: string;
  /** The sample (its id, video path relative to `file`'s manifest, segment). */
  sample: ManifestSample;
  /** The video file, resolved against the manifest's root. */
  file: string;
  settings: ClipCacheSettings;
  /** Re-check a cached clip's CRC before reusing it. */
  verifyExisting?: boolean;
  /** Also return the video's probe (a queued run's workers probe the videos instead of the enqueuing machine). */
  probe?: boolean;
}

/** The task of one sample of `manifest` (see {@link ClipPrepareTask}). */
export function clipPrepareTask(
  manifest: Manifest,
  sample: ManifestSample,
  options: { cacheDir: string; verifyExisting?: boolean; probe?: boolean } & PrepareSettingsOptions,
): ClipPrepareTask {
  const task: ClipPrepareTask = {
    cacheDir: options.cacheDir,
    sample,
    file: sample.video ? resolveVideoPath(manifest, sample.video) : '',
    settings: clipSettings(options, sample),
    verifyExisting: options.verifyExisting === true,
  };
  if (options.probe) task.probe = true;
  return task;
}

/** What the cache holds for a task's video now (a damaged entry is removed and counts as `missing`); environment errors are thrown. */
export function clipCacheState(task: ClipPrepareTask): ClipCacheState {
  return cachedClipState(clipPath(task.cacheDir, task.sample.id), task.settings, task.verifyExisting === true);
}

/**
 * Prepares one video: reuses its cached clip when it was made with the same settings, else probes and
 * decodes it and writes the clip atomically (a temporary file renamed into place: a killed writer never
 * leaves a clip that looks done). A problem of the video (corrupt, truncated, no video stream) is returned
 * as `skipped` with the reason; an environment error (disk full, no permission, ffmpeg missing) is thrown
 * as an {@link EnvironmentError} naming the file. Idempotent: running it twice decodes once.
 * `before`: the cache's state when the first attempt at this video began ({@link clipCacheState}); a retry
 * that finds the clip its killed predecessor wrote then reports `done`/`rebuilt`, as that attempt would have.
 */
export async function prepareClip(task: ClipPrepareTask, options: { before?: ClipCacheState } = {}): Promise<ClipPrepareResult> {
  const { sample, file, settings } = task;
  const out = clipPath(task.cacheDir, sample.id);
  try {
    const state = cachedClipState(out, settings, task.verifyExisting === true);
    if (state === 'reuse') {
      // made by an earlier attempt of this same run (a worker killed after its write): counted as that attempt would have
      const status = options.before === 'missing' ? 'done' : options.before === 'stale' ? 'rebuilt' : 'cached';
      const result: ClipPrepareResult = { id: sample.id, status, file };
      if (task.probe) {
        const probe = await probeMedia(file).then(toManifestProbe, () => undefined); // as probeManifest: a failed probe leaves none
        if (probe) result.probe = probe;
      }
      return result;
    }
    const clip = await decodeClip(file, sample, settings);
    writeCachedClip(out, clip);
    const result: ClipPrepareResult = { id: sample.id, status: state === 'stale' ? 'rebuilt' : 'done', file };
    if (task.probe) result.probe = clip.probe;
    return result;
  } catch (err) {
    if (isEnvironmentError(err)) throw err instanceof EnvironmentError ? err : environmentErrorAt(file || out, 'cannot prepare the clip', err);
    return { id: sample.id, status: 'skipped', file, reason: (err as Error).message };
  }
}

/**
 * The report of a prepare run over `manifest`, from the results of its videos (any order: a queue's
 * workers finish them in any order). The one assembly for the local run, shards and the queue, so the
 * same results give the same report. A video without a result, or `error`, makes the report `aborted`.
 */
export function assemblePrepareReport(manifest: Manifest, results: Iterable<ClipPrepareResult>, error?: string): PrepareReport {
  const byId = new Map<string, ClipPrepareResult>();
  for (const r of results) byId.set(r.id, r);
  const report: PrepareReport = {
    dataset: manifest.dataset,
    total: manifest.samples.length,
    prepared: 0,
    rebuilt: 0,
    alreadyCached: 0,
    skipped: [],
    aborted: false,
  };
  for (const s of manifest.samples) {
    const r = byId.get(s.id);
    if (!r) {
      report.aborted = true;
      continue;
    }
    if (r.status === 'cached') report.alreadyCached++;
    else if (r.status === 'skipped') report.skipped.push({ id: r.id, file: r.file, reason: r.reason ?? 'unknown' });
    else {
      report.prepared++;
      if (r.status === 'rebuilt') report.rebuilt++;
    }
  }
  report.skipped.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (error !== undefined) {
    report.aborted = true;
    report.error = error;
  }
  return report;
}

/** `manifest` with each sample that has no probe given the one its result carries (results of tasks made with `probe: true`). */
export function manifestWithProbes(manifest: Manifest, results: Iterable<ClipPrepareResult>): Manifest {
  const probes = new Map<string, ManifestProbe>();
  for (const r of results) if (r.probe) probes.set(r.id, r.probe);
  return { ...manifest, samples: manifest.samples.map((s) => (s.probe || !probes.has(s.id) ? s : { ...s, probe: probes.get(s.id) })) };
}

/** Where a prepare run's report goes: `<cacheDir>/prepare-report.json`. */
export function prepareReportPath(cacheDir: string, shard?: { index: number; count: number }): string {
  return path.join(cacheDir, shard ? `prepare-report.shard-${shard.index}-of-${shard.count}.json` : 'prepare-report.json');
}

/** Removes temporary files that killed writers left in `<cacheDir>/clips` (only while no other process writes there). */
export function removeStaleClipTemps(cacheDir: string): void {
  const clipsDir = path.join(cacheDir, 'clips');
  fs.mkdirSync(clipsDir, { recursive: true });
  for (const f of fs.readdirSync(clipsDir)) if (f.endsWith('.tmp')) fs.rmSync(path.join(clipsDir, f), { force: true });
}

/**
 * Decodes every manifest video once into `<cacheDir>/clips/<id>.clip` (one binary file per video:
 * frames at the short side, optional audio; see clip-file.ts), `concurrency` ffmpeg decodes at a time.
 * One run per cache folder: a second one, while the first runs, is refused (a lock file in `cacheDir`).
 * Resumable and crash-safe: each entry is written to a temporary file and renamed, so an entry either
 * exists whole or not at all; a rerun reuses entries made with the same settings (short side, audio
 * rate, segment; recorded in each clip), rebuilds the others and removes stale temporary files.
 * Bad videos (truncated, random bytes, no video stream...) are skipped and listed with the reason in
 * `prepare-report.json`; the run continues and nothing already cached is touched.
 * Errors of the machine rather than the video (disk full, no permission, read-only disk, ffmpeg missing
 * or killed) stop the run: the videos in flight finish, the report records the error, and the promise
 * rejects with an {@link EnvironmentError}, one line naming the file and the problem.
 * Trimmed segments (`sample.segment`) are cached as the segment only.
 * Each video is one {@link prepareClip}; the report is {@link assemblePrepareReport} of their results (a
 * queue of workers, `@ccl/queue`, does the same per video, so both write the same report).
 */
export async function prepareClipCache(options: PrepareOptions): Promise<PrepareReport> {
  if (options.shard) {
    const { index, count } = options.shard;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
      throw new Error(`shard ${index}/${count}: expected 0 <= index < count`);
    const manifest = { ...options.manifest, samples: options.manifest.samples.filter((_, i) => i % count === index) };
    return prepareLocked({ ...options, manifest }, prepareReportPath(options.cacheDir, options.shard));
  }
  const release = acquireFolderLock(options.cacheDir, { what: 'prepareClipCache' });
  try {
    removeStaleClipTemps(options.cacheDir);
    return await prepareLocked(options, prepareReportPath(options.cacheDir));
  } finally {
    release();
  }
}

async function prepareLocked(options: PrepareOptions, reportFile: string): Promise<PrepareReport> {
  const { manifest, cacheDir } = options;
  fs.mkdirSync(path.join(cacheDir, 'clips'), { recursive: true });
  const results: ClipPrepareResult[] = [];
  let fatal: EnvironmentError | undefined;
  const queue = manifest.samples.slice();
  const worker = async (): Promise<void> => {
    for (;;) {
      if (fatal || options.signal?.aborted) return;
      const s = queue.shift();
      if (!s) return;
      const task = clipPrepareTask(manifest, s, options);
      let result: ClipPrepareResult;
      try {
        result = await prepareClip(task);
      } catch (err) {
        fatal ??= err instanceof EnvironmentError ? err : environmentErrorAt(task.file || clipPath(cacheDir, s.id), 'cannot prepare the clip', err);
        return;
      }
      results.push(result);
      const status = result.status === 'rebuilt' ? 'done' : result.status;
      options.onProgress?.({ id: s.id, status, done: results.length, total: manifest.samples.length });
    }
  };
  const n = Math.max(1, options.concurrency ?? os.cpus().length);
  await Promise.all(Array.from({ length: n }, worker));
  const report = assemblePrepareReport(manifest, results, fatal?.message);
  if (options.signal?.aborted) report.aborted = true;
  if (fatal) {
    try {
      writeJsonAtomicSync(reportFile, report);
    } catch {
      // the disk that stopped the run may refuse the report too; the error below says what happened
    }
    throw fatal;
  }
  writeJsonAtomicSync(reportFile, report);
  if (options.probe) options.onProbedManifest?.(manifestWithProbes(manifest, results));
  return report;
}
