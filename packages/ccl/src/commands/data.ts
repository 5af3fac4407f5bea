import * as path from 'node:path';
import type { Command } from 'commander';
import { integerBetween, parseFraction, parseInteger, parseNonNegativeInt, parsePositiveInt, parseShard, parseShardSpec } from '../cli-options';
import { datasetArgumentHelp, datasetChoicesHelp } from '@ccl/data/node';
import { closeMediaInfo, describePreparedDataset, generateSyntheticAV, prepareDataset, probeFiles } from '@ccl/data/media';
import { rate } from '../progress';
import { parseQueueUrl, prepareClipCacheOnQueue, redactQueueUrl } from '@ccl/queue';

interface PrepareOpts {
  dataset: string;
  root?: string;
  annotations?: string;
  features?: string;
  split?: number;
  testFraction?: number;
  out: string;
  shortSide: number;
  audioRate?: number;
  val: number;
  seed: number;
  queue?: string;
  shard?: string;
  concurrency?: number;
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('datasets: probe media files, synthesise data');

  data
    .command('probe')
    .description('probe media files with mediainfo.js (duration, fps, frames, size, codecs, audio)')
    .argument('<files...>', 'video files')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const results = await probeFiles(files);
      await closeMediaInfo();
      if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
      const failed = results.filter((r) => 'error' in r).length;
      if (failed) throw new Error(`${failed} of ${files.length} file(s) could not be probed`);
    });

  data
    .command('prepare')
    .description('build the manifest, probe every video (mediainfo.js) and decode it once into the clip cache (ffmpeg); resumable')
    .requiredOption('--dataset <name>', `one of: ${datasetChoicesHelp()}`)
    .option('--root <dir>', `folder of the videos (every dataset but manifest: ${datasetArgumentHelp('root')})`)
    .requiredOption('--out <dir>', 'output: manifest.json (the cached videos), cache/ (clips, prepare-report.json); one prepare at a time')
    .option('--annotations <path>', datasetArgumentHelp('annotations'))
    .option('--features <path>', datasetArgumentHelp('features'))
    .option('--split <n>', 'UCF101 split 1|2|3 (ucf101, ucf51; default 1)', integerBetween(1, 3))
    .option('--test-fraction <f>', datasetArgumentHelp('testFraction'), parseFraction)
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
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      const t0 = Date.now();
      const r = await prepareDataset({
        dataset: opts.dataset,
        args: { root: opts.root, annotations: opts.annotations, features: opts.features, split: opts.split, testFraction: opts.testFraction },
        outDir: opts.out,
        shortSide: Number(opts.shortSide) > 0 ? Number(opts.shortSide) : null,
        audioSampleRate: opts.audioRate ? Number(opts.audioRate) : undefined,
        val: Number(opts.val),
        seed: Number(opts.seed),
        concurrency: opts.concurrency ? Number(opts.concurrency) : undefined,
        shard: shard ? { index: shard[0], count: shard[1] } : undefined,
        onProbeFailure: (f) => process.stderr.write(`probe: ${JSON.stringify(f)}\n`),
        onProgress: (e) => process.stderr.write(`\r${e.done}/${e.total} ${e.status} ${e.id}\u001b[K`),
        remote: opts.queue
          ? (request) => {
              const url = redactQueueUrl(opts.queue!);
              process.stderr.write(`queue ${url}: ${request.manifest.samples.length} jobs; start \`ccl worker --queue ${url} --allow DIR\` on any machines\n`);
              const onProgress = (e: { finished: number; failed: number; total: number }) =>
                process.stderr.write(`\r${e.finished}/${e.total} finished${e.failed ? `, ${e.failed} failed` : ''} (${rate(e.finished, t0)} videos/s)\u001b[K`);
              return prepareClipCacheOnQueue({ ...request, queue: opts.queue!, onProgress });
            }
          : undefined,
      }).finally(() => process.stderr.write('\n')); // ends the progress line, also before an error
      process.stdout.write(`${describePreparedDataset(r, opts.shard)}\n`);
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
