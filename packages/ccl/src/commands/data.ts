import * as path from 'node:path';
import type { Command } from 'commander';
import { integerBetween, parseFraction, parseInteger, parseNonNegativeInt, parsePositiveInt, parseShard, parseShardSpec } from '../cli-options';
import * as fs from 'node:fs';
import { acquireFolderLock, getDataset, holdOutValidation, listDatasets, writeManifest } from '@ccl/data';
import { closeMediaInfo, generateSyntheticAV, manifestOfCachedSamples, prepareClipCache, probeManifest, probeMedia, type PrepareReport } from '@ccl/data/media';
import { parseQueueUrl, prepareClipCacheOnQueue } from '@ccl/queue';

interface PrepareOpts {
  dataset: string;
  root: string;
  annotations?: string;
  features?: string;
  split: number;
  out: string;
  shortSide: number;
  audioRate?: number;
  val: number;
  seed: number;
  queue?: string;
  shard?: string;
  concurrency?: number;
}

/** `dataset: meaning; ...` of a `ccl data prepare` argument, over the registered datasets (@ccl/data) that read it. */
function argumentHelp(arg: 'annotations' | 'features'): string {
  return listDatasets()
    .map(getDataset)
    .filter((d) => d.arguments?.[arg] !== undefined)
    .map((d) => `${d.name}: ${d.arguments![arg]}`)
    .join('; ');
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('datasets: probe media files, synthesise data');

  data
    .command('probe')
    .description('probe media files with mediainfo.js (duration, fps, frames, size, codecs, audio)')
    .argument('<files...>', 'video files')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const results = [];
      let failed = 0;
      for (const f of files) {
        try {
          results.push({ ...(await probeMedia(f)), file: f });
        } catch (err) {
          failed++;
          results.push({ file: f, error: err instanceof Error ? err.message : String(err) });
        }
      }
      closeMediaInfo();
      if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
      if (failed) throw new Error(`${failed} of ${files.length} file(s) could not be probed`);
    });

  data
    .command('prepare')
    .description('build the manifest, probe every video (mediainfo.js) and decode it once into the clip cache (ffmpeg); resumable')
    .requiredOption(
      '--dataset <name>',
      `one of: ${listDatasets()
        .map((n) => `${n} (${getDataset(n).description})`)
        .join(', ')}`,
    )
    .requiredOption('--root <dir>', 'folder of the videos')
    .requiredOption('--out <dir>', 'output: manifest.json (the cached videos), cache/ (clips, prepare-report.json); one prepare at a time')
    .option('--annotations <path>', argumentHelp('annotations'))
    .option('--features <path>', argumentHelp('features'))
    .option('--split <n>', 'UCF101 split 1|2|3', integerBetween(1, 3), 1)
    .option('--short-side <px>', 'short side of cached frames (0 keeps the native size)', parseNonNegativeInt, 240)
    .option('--audio-rate <hz>', 'also cache mono audio at this rate (Cnn14: 32000)', parsePositiveInt)
    .option('--val <fraction>', 'held-out validation fraction carved from train (group-aware for UCF), in [0, 1)', parseFraction, 0.1)
    .option('--seed <n>', 'seed of the held-out split', parseInteger, 1)
    .option('--concurrency <n>', 'videos decoded at once on this machine (default: the CPU cores)', parsePositiveInt)
    .option(
      '--queue <url>',
      'redis://HOST:PORT[/DB]: enqueue one job per video for `ccl worker`s on any machines (shared storage), wait, then write the manifest and report as a local run would',
    )
    .option(
      '--shard <i/N>',
      'prepare only videos i, i+N, ... (Kubernetes Indexed Job, Slurm array); then run once without --shard for the manifest',
      parseShardSpec,
    )
    .action(async (opts: PrepareOpts) => {
      if (opts.queue && opts.shard) throw new Error('--queue and --shard are two ways to spread the work: give one');
      if (opts.queue) parseQueueUrl(opts.queue);
      const dataset = getDataset(opts.dataset);
      // an absolute root: the manifest and the report name the videos so that `ccl worker`s in other folders (--queue) find them too
      const args = { root: path.resolve(opts.root), annotations: opts.annotations, features: opts.features, split: Number(opts.split) };
      if (!fs.existsSync(opts.root)) throw new Error(`${opts.root}: not found (--root)`);
      const out = path.resolve(opts.out);
      const shard = opts.shard ? parseShard(opts.shard) : null;
      // shards share the output folder (they write disjoint clips and their own reports): only a whole run locks it
      const release = shard ? () => {} : acquireFolderLock(out, { what: 'ccl data prepare' });
      try {
        const built = dataset.buildManifest(args);
        // with a queue, the workers probe the videos (each job returns its probe), unless the dataset selects videos by their probes
        const probeOnWorkers = opts.queue !== undefined && !dataset.selectProbed;
        let probed = built;
        if (!probeOnWorkers) {
          const { manifest, failures } = await probeManifest(built);
          closeMediaInfo();
          for (const f of failures) process.stderr.write(`probe: ${JSON.stringify(f)}\n`);
          probed = manifest;
        }
        const selected = dataset.selectProbed ? dataset.selectProbed(probed, args) : probed;
        let all = Number(opts.val) > 0 ? holdOutValidation(selected, { fraction: Number(opts.val), seed: Number(opts.seed) }) : selected;
        const common = {
          manifest: all,
          cacheDir: path.join(out, 'cache'),
          shortSide: Number(opts.shortSide) > 0 ? Number(opts.shortSide) : null,
          audioSampleRate: opts.audioRate ? Number(opts.audioRate) : undefined,
        };
        const t0 = Date.now();
        let report: PrepareReport;
        if (opts.queue) {
          process.stderr.write(`queue ${opts.queue}: ${all.samples.length} jobs; start \`ccl worker --queue ${opts.queue}\` on any machines\n`);
          report = await prepareClipCacheOnQueue({
            ...common,
            queue: opts.queue,
            probeOnWorkers,
            onProbedManifest: (m) => (all = m),
            onProgress: (e) =>
              process.stderr.write(
                `\r${e.finished}/${e.total} finished${e.failed ? `, ${e.failed} failed` : ''} (${(e.finished / Math.max(1e-3, (Date.now() - t0) / 1000)).toFixed(2)} videos/s)\u001b[K`,
              ),
          }).finally(() => process.stderr.write('\n'));
        } else {
          report = await prepareClipCache({
            ...common,
            concurrency: opts.concurrency ? Number(opts.concurrency) : undefined,
            shard: shard ? { index: shard[0], count: shard[1] } : undefined,
            onProgress: (e) => process.stderr.write(`\r${e.done}/${e.total} ${e.status} ${e.id}\u001b[K`),
          }).finally(() => process.stderr.write('\n')); // ends the progress line, also before an error
        }
        if (shard) {
          process.stdout.write(
            `shard ${opts.shard}: ${report.total} videos, ${report.prepared} decoded, ${report.alreadyCached} already cached, ${report.skipped.length} skipped (see ${path.join(out, 'cache', `prepare-report.shard-${shard[0]}-of-${shard[1]}.json`)}); once every shard is done, run the same command without --shard for the manifest\n`,
          );
          return;
        }
        // what train reads: only the cached videos (the skipped ones are listed with their reasons in the report)
        const manifest = manifestOfCachedSamples(all, report);
        writeManifest(path.join(out, 'manifest.json'), manifest);
        const count = (s: string) => manifest.samples.filter((x) => x.split === s).length;
        process.stdout.write(
          `${manifest.classes.length} classes; ${count('train')} train / ${count('val')} val / ${count('test')} test; ${report.prepared} decoded${report.rebuilt ? ` (${report.rebuilt} rebuilt: cached with other settings)` : ''}, ${report.alreadyCached} already cached, ${report.skipped.length} skipped (see ${path.join(out, 'cache', 'prepare-report.json')})\nmanifest: ${path.join(out, 'manifest.json')}\n`,
        );
      } finally {
        release();
      }
    });

  data
    .command('synth')
    .description("synthesise a small audio-visual dataset as real mp4 files, with the teachers' source data and a manifest")
    .requiredOption('--out <dir>', 'output folder')
    .option('--classes <n>', 'video classes (2-36)', integerBetween(2, 36), 8)
    .option('--videos-per-class <n>', 'videos per class', parsePositiveInt, 12)
    .option('--seed <n>', 'seed', parseInteger, 1)
    .action(async (opts: { out: string; classes: number; videosPerClass: number; seed: number }) => {
      const r = await generateSyntheticAV({
        outDir: path.resolve(opts.out),
        numClasses: Number(opts.classes),
        videosPerClass: Number(opts.videosPerClass),
        seed: Number(opts.seed),
      });
      process.stdout.write(
        `${r.manifest.samples.length} videos in ${r.manifest.classes.length} classes, ${r.images.items.length} stills, ${r.sounds.items.length} sound clips\nmanifest: ${r.manifestPath}\n`,
      );
    });
}
