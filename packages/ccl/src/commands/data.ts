import * as path from 'node:path';
import type { Command } from 'commander';
import { closeMediaInfo, generateSyntheticAV, probeMedia } from '@ccl/data';

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
    .command('synth')
    .description('synthesise a small audio-visual dataset as real mp4 files, with the teachers\' source data and a manifest')
    .requiredOption('--out <dir>', 'output folder')
    .option('--classes <n>', 'video classes (2-36)', '8')
    .option('--videos-per-class <n>', 'videos per class', '12')
    .option('--seed <n>', 'seed', '1')
    .action(async (opts: { out: string; classes: string; videosPerClass: string; seed: string }) => {
      const r = await generateSyntheticAV({ outDir: path.resolve(opts.out), numClasses: Number(opts.classes), videosPerClass: Number(opts.videosPerClass), seed: Number(opts.seed) });
      process.stdout.write(`${r.manifest.samples.length} videos in ${r.manifest.classes.length} classes, ${r.images.items.length} stills, ${r.sounds.items.length} sound clips\nmanifest: ${r.manifestPath}\n`);
    });
}
