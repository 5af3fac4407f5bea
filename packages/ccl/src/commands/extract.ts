import * as path from 'node:path';
import type { Command } from 'commander';
import { parsePositiveInt, parsePositiveNumber, parseShard, parseShardSpec } from '../cli-options';
import {
  extractTeacherFeatures,
  openFeatureTeacher,
  preparedSamples,
  resolveFeatureTeacher,
  teacherInput,
  type FeatureTeacherSpec,
  type TeacherFeatureReport,
} from '@ccl/experiments';
import { rate } from '../progress';
import { extractTeacherFeaturesOnQueue, parseQueueUrl } from '@ccl/queue';

interface ExtractOpts {
  teacher?: string;
  weights?: string;
  options: string;
  data: string;
  out: string;
  shard: string;
  frames: number;
  size: number;
  segmentSeconds?: number;
  queue?: string;
  batch: number;
}

export function registerExtractCommand(features: Command, useBackend: (force?: string) => Promise<unknown>): void {
  features
    .command('extract')
    .description(
      "run a frozen teacher over a prepared dataset and write one .npy per video (the reference's layout: <out>/<class>/<id>.npy; (S, D) for segments or frames); resumable, shardable.\n" +
        'Inputs follow the teacher\'s own convention: image teachers get RGB in [0, 1] normalised as their weights expect (resnet18/34: ImageNet mean/std, as torchvision\'s; with {"normalize":"imagenet"} the encoder does it, never both); ' +
        'audio teachers get the cached mono track, which must be at their sample rate (cnn14: 32 kHz unless {"sampleRate":...}; prepare with --audio-rate 32000), else the file is refused.',
    )
    .option('--teacher <name>', 'encoder: cnn14 (audio), resnet18 / resnet34 (images), or any registered encoder (default: the one --weights names)')
    .option(
      '--weights <file>',
      "teacher weights with the PyTorch names: .safetensors, or a PyTorch .pth (converted in memory); a file that names its encoder and options (ccl's teachers, `ccl weights import --encoder`) needs no --teacher",
    )
    .option('--options <json>', 'encoder options as JSON, e.g. {"numClasses":527}; they override the weights file\'s', '{}')
    .requiredOption('--data <dir>', 'output folder of `ccl data prepare` (manifest.json + cache/)')
    .requiredOption('--out <dir>', 'features folder')
    .option('--shard <i/N>', 'process samples i, i+N, i+2N, ...', parseShardSpec, '0/1')
    .option('--frames <n>', 'image teachers: evenly spaced frames per video', parsePositiveInt, 8)
    .option('--size <px>', 'image teachers: input size', parsePositiveInt, 224)
    .option('--segment-seconds <s>', 'audio teachers: one row per segment of this length (default: the whole track)', parsePositiveNumber)
    .option('--backend <name>', 'tensor backend')
    .option('--queue <url>', 'redis://HOST:PORT[/DB]: enqueue jobs of --batch videos for `ccl worker`s on any machines (shared storage) and wait for them')
    .option('--batch <n>', 'with --queue: videos per job', parsePositiveInt, 8)
    .action(async (opts: ExtractOpts & { backend?: string }) => {
      if (opts.queue) parseQueueUrl(opts.queue);
      await useBackend(opts.backend);
      const { samples, cacheDir } = preparedSamples(opts.data, ...parseShard(opts.shard));
      const spec: FeatureTeacherSpec = resolveFeatureTeacher({
        teacher: opts.teacher,
        options: JSON.parse(opts.options) as Record<string, unknown>,
        weights: opts.weights ? path.resolve(opts.weights) : undefined,
        frames: Number(opts.frames),
        size: Number(opts.size),
        segmentSeconds: opts.segmentSeconds === undefined ? undefined : Number(opts.segmentSeconds),
      });
      const encoder = openFeatureTeacher(spec); // refuses a bad teacher here, before any job is queued
      if (encoder.inputConvention) process.stderr.write(`${spec.teacher} input: ${encoder.inputConvention.description}\n`);
      const t0 = Date.now();
      let r: TeacherFeatureReport;
      if (opts.queue) {
        const onProgress = (e: { finished: number; total: number }) =>
          process.stderr.write(`\r${e.finished}/${e.total} jobs finished (${rate(e.finished, t0)} jobs/s)\u001b[K`);
        r = await extractTeacherFeaturesOnQueue({ queue: opts.queue, samples, cacheDir, outDir: opts.out, spec, batchSize: Number(opts.batch), onProgress });
      } else {
        const onWritten = (k: number, s: { id: string }) => process.stderr.write(`\r${k + 1}/${samples.length} ${s.id}\u001b[K`);
        r = await extractTeacherFeatures({ samples, cacheDir, encoder, outDir: opts.out, input: teacherInput(encoder, spec.teacher, spec), onWritten });
      }
      process.stderr.write('\n');
      process.stdout.write(
        `${r.written} written, ${r.reused} already there, ${r.noInput.length} without input (no audio), ${r.notCached.length} not in the cache (see prepare-report.json) in ${opts.out} (shard ${opts.shard})\n`,
      );
    });
}
