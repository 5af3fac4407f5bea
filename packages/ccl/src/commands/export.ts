import * as path from 'node:path';
import type { Command, Option } from 'commander';
import { exportStudent } from '@ccl/experiments';
import { parsePositiveInt } from '../cli-options';

export function registerExportCommand(program: Command, useBackend: (force?: string, quiet?: boolean) => Promise<unknown>, backendOption: () => Option): void {
  program
    .command('export')
    .description("write what a web page needs to run a run's student: weights (safetensors), class names, clip spec (student.json)")
    .requiredOption('--run <dir>', 'run folder written by ccl train or the demo')
    .requiredOption('--out <dir>', 'output folder (student.safetensors, student.json)')
    .option('--checkpoint <name>', 'checkpoint file in <run>/checkpoints', 'best.ckpt')
    .option('--frames <n>', 'clip frames, when the run folder records none', parsePositiveInt)
    .option('--size <n>', 'clip size, when the run folder records none', parsePositiveInt)
    .option('--force', 'write into a non-empty folder that holds no ccl export (student.safetensors and student.json are replaced, nothing else is removed)')
    .addOption(backendOption())
    .action(async (opts: { run: string; out: string; checkpoint: string; frames?: number; size?: number; force?: boolean; backend?: string }) => {
      await useBackend(opts.backend, true); // the checkpoint's tensors pass through tfjs
      const { files, spec } = exportStudent(path.resolve(opts.run), path.resolve(opts.out), opts); // checkpoint, frames, size, force
      process.stdout.write(
        `${files.map((f) => `wrote ${f}`).join('\n')}\n${spec.encoder}, ${spec.classes.length} classes, clips of ${spec.clip.frames} frames at ${spec.clip.size}x${spec.clip.size}\n`,
      );
    });
}
