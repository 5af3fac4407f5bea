import * as path from 'node:path';
import type { Command } from 'commander';
import { formatTorchImport, importTorchCheckpoint } from '@ccl/encoders/node';

interface ImportOpts {
  out: string;
  key?: string;
  encoder?: string;
  options: string;
  json?: boolean;
}

export function registerWeightsCommands(program: Command, useBackend: (force?: string, quiet?: boolean) => Promise<unknown>): void {
  const weights = program.command('weights').description('teacher and student weights files');
  weights
    .command('import <file>')
    .description(
      "convert a PyTorch checkpoint (torch.save's zip archive or legacy format: torchvision, PANNs, CCL training checkpoints) to .safetensors with the checkpoint's own tensor names and dtypes, without Python. " +
        'The pickle is never run: only allow-listed globals (tensors, storages, OrderedDict, optimizer and scheduler state) are read, any other one stops the import, named. The output is written atomically.',
    )
    .requiredOption('--out <file>', 'the .safetensors file to write')
    .option(
      '--key <name>',
      'the top-level key holding the state dict (default: the file itself when it holds only tensors, else state_dict, model or model_state_dict)',
    )
    .option(
      '--encoder <name>',
      'check that the weights load strictly into this encoder (cnn14, resnet34, ...) and record it and --options in the file, so `features extract --weights` needs neither',
    )
    .option('--options <json>', 'with --encoder: its options as JSON, e.g. {"numClasses":1000}', '{}')
    .option('--json', 'print the report as JSON (every tensor name, dtype and shape)')
    .action(async (file: string, opts: ImportOpts) => {
      if (opts.encoder) await useBackend(undefined, true); // the check loads the tensors into a tfjs encoder
      const encoder = opts.encoder ? { encoder: opts.encoder, options: JSON.parse(opts.options) as Record<string, unknown> } : undefined;
      const report = importTorchCheckpoint(path.resolve(file), path.resolve(opts.out), { key: opts.key, encoder });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatTorchImport(report)}\n`);
    });
}
