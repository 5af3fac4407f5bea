import * as path from 'node:path';
import type { Command } from 'commander';
import { integerBetween, parseFraction, parseInteger, parseNonNegativeInt, parsePositiveInt } from '../cli-options';
import * as fs from 'node:fs';
import {
  acquireFolderLock,
  buildActivityNetManifest,
  buildFolderManifest,
  buildUcf101FromFolders,
  buildUcf101FromLists,
  buildUcf51FromFeatures,
  buildVggSoundManifest,
  holdOutValidation,
  readFeaturesArchive,
  readFeaturesFolder,
  readManifest,
  selectClassesWithAudio,
  writeManifest,
  type Manifest,
} from '@ccl/data';
import { closeMediaInfo, generateSyntheticAV, manifestOfCachedSamples, prepareClipCache, probeManifest, probeMedia } from '@ccl/data/media';

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
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new Error(`--${what} is required for this dataset`);
  if (!fs.existsSync(value)) throw new Error(`${value}: not found (--${what})`);
  return value;
}

/** Manifest builders by dataset name (METHOD §6). */
const BUILDERS: Record<string, (o: PrepareOpts) => Manifest> = {
  ucf101: (o) => {
    const split = Number(o.split) as 1 | 2 | 3;
    if (o.annotations) {
      const dir = need(o.annotations, 'annotations');
      return buildUcf101FromLists({ classIndFile: path.join(dir, 'classInd.txt'), trainListFile: path.join(dir, `trainlist0${split}.txt`), testListFile: path.join(dir, `testlist0${split}.txt`), videoRoot: o.root });
    }
    return buildUcf101FromFolders({ videoRoot: o.root, split });
  },
  ucf51: (o) => {
    if (o.features) {
      const f = need(o.features, 'features');
      const set = fs.statSync(f).isDirectory() ? readFeaturesFolder(f) : readFeaturesArchive(f);
      return buildUcf51FromFeatures(set, { split: Number(o.split) as 1 | 2 | 3, videoRoot: o.root, videoExtension: '.avi' });
    }
    return buildUcf101FromFolders({ videoRoot: o.root, split: Number(o.split) as 1 | 2 | 3, dataset: 'ucf51' }); // classes with audio chosen after probing
  },
  activitynet: (o) => buildActivityNetManifest({ jsonFile: need(o.annotations, 'annotations'), videoRoot: o.root }),
  vggsound: (o) => buildVggSoundManifest({ csvFile: need(o.annotations, 'annotations'), videoRoot: o.root }),
  folder: (o) => buildFolderManifest({ root: o.root }),
  manifest: (o) => readManifest(need(o.annotations, 'annotations')),
};

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
    .requiredOption('--dataset <name>', `one of: ${Object.keys(BUILDERS).join(', ')}`)
    .requiredOption('--root <dir>', 'folder of the videos')
    .requiredOption('--out <dir>', 'output: manifest.json (the cached videos), cache/ (clips, prepare-report.json); one prepare at a time')
    .option('--annotations <path>', 'ucf101: folder with classInd.txt + train/testlist0N.txt; activitynet: the v1.3 JSON; vggsound: the CSV; manifest: a manifest file')
    .option('--features <path>', 'ucf51: the released feature folder or .tar.gz (defines the 51 classes)')
    .option('--split <n>', 'UCF101 split 1|2|3', integerBetween(1, 3), 1)
    .option('--short-side <px>', 'short side of cached frames (0 keeps the native size)', parseNonNegativeInt, 240)
    .option('--audio-rate <hz>', 'also cache mono audio at this rate (Cnn14: 32000)', parsePositiveInt)
    .option('--val <fraction>', 'held-out validation fraction carved from train (group-aware for UCF), in [0, 1)', parseFraction, 0.1)
    .option('--seed <n>', 'seed of the held-out split', parseInteger, 1)
    .action(async (opts: PrepareOpts) => {
      const build = BUILDERS[opts.dataset];
      if (!build) throw new Error(`unknown dataset '${opts.dataset}'; one of: ${Object.keys(BUILDERS).join(', ')}`);
      if (!fs.existsSync(opts.root)) throw new Error(`${opts.root}: not found (--root)`);
      const out = path.resolve(opts.out);
      const release = acquireFolderLock(out, { what: 'ccl data prepare' });
      try {
        const built = build(opts);
        const { manifest: probed, failures } = await probeManifest(built);
        closeMediaInfo();
        for (const f of failures) process.stderr.write(`probe: ${JSON.stringify(f)}\n`);
        const selected = opts.dataset === 'ucf51' && !opts.features ? selectClassesWithAudio(probed, { dataset: 'ucf51' }) : probed;
        const all = Number(opts.val) > 0 ? holdOutValidation(selected, { fraction: Number(opts.val), seed: Number(opts.seed) }) : selected;
        const report = await prepareClipCache({
          manifest: all, cacheDir: path.join(out, 'cache'), shortSide: Number(opts.shortSide) > 0 ? Number(opts.shortSide) : null,
          audioSampleRate: opts.audioRate ? Number(opts.audioRate) : undefined,
          onProgress: (e) => process.stderr.write(`\r${e.done}/${e.total} ${e.status} ${e.id}\u001b[K`),
        }).finally(() => process.stderr.write('\n')); // ends the progress line, also before an error
        // what train reads: only the cached videos (the skipped ones are listed with their reasons in the report)
        const manifest = manifestOfCachedSamples(all, report);
        writeManifest(path.join(out, 'manifest.json'), manifest);
        const count = (s: string) => manifest.samples.filter((x) => x.split === s).length;
        process.stdout.write(`${manifest.classes.length} classes; ${count('train')} train / ${count('val')} val / ${count('test')} test; ${report.prepared} decoded${report.rebuilt ? ` (${report.rebuilt} rebuilt: cached with other settings)` : ''}, ${report.alreadyCached} already cached, ${report.skipped.length} skipped (see ${path.join(out, 'cache', 'prepare-report.json')})\nmanifest: ${path.join(out, 'manifest.json')}\n`);
      } finally {
        release();
      }
    });

  data
    .command('synth')
    .description('synthesise a small audio-visual dataset as real mp4 files, with the teachers\' source data and a manifest')
    .requiredOption('--out <dir>', 'output folder')
    .option('--classes <n>', 'video classes (2-36)', integerBetween(2, 36), 8)
    .option('--videos-per-class <n>', 'videos per class', parsePositiveInt, 12)
    .option('--seed <n>', 'seed', parseInteger, 1)
    .action(async (opts: { out: string; classes: number; videosPerClass: number; seed: number }) => {
      const r = await generateSyntheticAV({ outDir: path.resolve(opts.out), numClasses: Number(opts.classes), videosPerClass: Number(opts.videosPerClass), seed: Number(opts.seed) });
      process.stdout.write(`${r.manifest.samples.length} videos in ${r.manifest.classes.length} classes, ${r.images.items.length} stills, ${r.sounds.items.length} sound clips\nmanifest: ${r.manifestPath}\n`);
    });
}
