import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireFolderLock } from '../io/folder-lock';
import { checkDatasetArgs, getDataset, type DatasetArgs } from '../manifest/datasets';
import '../manifest/builtin-datasets'; // the built-in datasets, whichever entry loaded this module
import { holdOutValidation } from '../manifest/holdout';
import { writeManifest } from '../manifest/manifest-files';
import type { Manifest } from '../manifest/schema';
import { probeManifest, type ProbeFailure } from '../media/probe-manifest';
import { closeMediaInfo } from '../media/probe';
import { manifestOfCachedSamples, prepareClipCache, prepareReportPath, type PrepareOptions, type PrepareReport, type PrepareSettingsOptions } from './prepare';

/** What a prepare elsewhere than in this process gets (a job queue: @ccl/queue's `prepareClipCacheOnQueue`). */
export interface RemotePrepareRequest extends PrepareSettingsOptions {
  manifest: Manifest;
  cacheDir: string;
  /** The manifest is not probed yet: the remote side probes each video and reports the probed manifest. */
  probeOnWorkers: boolean;
  onProbedManifest: (manifest: Manifest) => void;
}

/** `ccl data prepare`'s whole job, over the registered datasets (`registerDataset` of @ccl/data/node). */
export interface PrepareDatasetOptions extends PrepareSettingsOptions {
  /** A registered dataset name. */
  dataset: string;
  /** What the dataset builds its manifest from (`root` is made absolute: remote workers find the videos by it). */
  args: DatasetArgs;
  /** Output folder: `manifest.json` and `cache/`. */
  outDir: string;
  /** Held-out validation fraction carved from train, in [0, 1) (group-aware for UCF); default 0.1. */
  val?: number;
  /** Seed of the held-out split (default 1). */
  seed?: number;
  concurrency?: PrepareOptions['concurrency'];
  shard?: PrepareOptions['shard'];
  onProgress?: PrepareOptions['onProgress'];
  /** A video mediainfo.js could not read, when the dataset has all videos probed before choosing (`selectProbed`); otherwise such a video is in the report's `skipped`. */
  onProbeFailure?: (failure: ProbeFailure) => void;
  /** Prepare the clips elsewhere (no `shard` then); absent: in this process. */
  remote?: (request: RemotePrepareRequest) => Promise<PrepareReport>;
}

/** What `prepareDataset` wrote. */
export interface PreparedDataset {
  report: PrepareReport;
  /** The cached videos (what training reads); null for a shard, which writes no manifest. */
  manifest: Manifest | null;
  manifestFile: string | null;
  reportFile: string;
}

/**
 * Builds the dataset's manifest, carves the held-out split and decodes each video once into `<outDir>/cache`
 * (resumable), probing each (mediainfo.js) as it goes, then writes `<outDir>/manifest.json` of the videos that
 * were cached, with their probes. A whole run locks the output folder (one prepare at a time); shards share it and write only their
 * clips and their own reports.
 */
export async function prepareDataset(o: PrepareDatasetOptions): Promise<PreparedDataset> {
  if (o.remote && o.shard) throw new Error('a remote prepare and a shard are two ways to spread the work: give one');
  const dataset = getDataset(o.dataset);
  const args = checkDatasetArgs(dataset, o.args);
  if (args.root !== undefined) {
    if (!fs.existsSync(args.root)) throw new Error(`${args.root}: not found (--root)`);
    args.root = path.resolve(args.root);
  }
  args.seed = o.seed ?? 1;
  const outDir = path.resolve(o.outDir);
  const cacheDir = path.join(outDir, 'cache');
  const release = o.shard ? () => {} : acquireFolderLock(outDir, { what: 'ccl data prepare' });
  try {
    // The videos are probed while they are prepared (in parallel, each decoded video once; on the workers of a
    // remote run), unless the dataset selects videos by their probes: then all are probed here first. A shard
    // writes no manifest, so it records no probes.
    let selected = dataset.buildManifest(args);
    if (dataset.selectProbed) {
      const { manifest, failures } = await probeManifest(selected);
      await closeMediaInfo();
      for (const f of failures) o.onProbeFailure?.(f);
      selected = dataset.selectProbed(manifest, args);
    }
    const val = o.val ?? 0.1;
    let all = val > 0 ? holdOutValidation(selected, { fraction: val, seed: o.seed ?? 1 }) : selected;
    const settings = { shortSide: o.shortSide, audioSampleRate: o.audioSampleRate };
    const onProbedManifest = (m: Manifest) => (all = m);
    const probe = !dataset.selectProbed && !o.shard;
    const report = o.remote
      ? await o.remote({ ...settings, manifest: all, cacheDir, probeOnWorkers: probe, onProbedManifest })
      : await prepareClipCache({
          ...settings,
          manifest: all,
          cacheDir,
          concurrency: o.concurrency,
          shard: o.shard,
          onProgress: o.onProgress,
          probe,
          onProbedManifest,
        });
    if (probe) await closeMediaInfo();
    if (o.shard) return { report, manifest: null, manifestFile: null, reportFile: prepareReportPath(cacheDir, o.shard) };
    const manifest = manifestOfCachedSamples(all, report); // the skipped videos are listed with their reasons in the report
    const manifestFile = path.join(outDir, 'manifest.json');
    writeManifest(manifestFile, manifest);
    return { report, manifest, manifestFile, reportFile: prepareReportPath(cacheDir) };
  } finally {
    release();
  }
}

/** What `ccl data prepare` prints: the split sizes and what was decoded (a shard: what to run once every shard is done). */
export function describePreparedDataset(r: PreparedDataset, shard?: string): string {
  const { report } = r;
  const counts = `${report.prepared} decoded${report.rebuilt ? ` (${report.rebuilt} rebuilt: cached with other settings)` : ''}, ${report.alreadyCached} already cached, ${report.skipped.length} skipped (see ${r.reportFile})`;
  if (!r.manifest)
    return `shard ${shard ?? '?'}: ${report.total} videos, ${counts}; once every shard is done, run the same command without --shard for the manifest`;
  const count = (s: string) => r.manifest!.samples.filter((x) => x.split === s).length;
  return `${r.manifest.classes.length} classes; ${count('train')} train / ${count('val')} val / ${count('test')} test; ${counts}\nmanifest: ${r.manifestFile}`;
}
