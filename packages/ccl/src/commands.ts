import { Command, Option } from 'commander';
import { BACKEND_ORDER } from './backend/candidates';
import { formatBackendReport, pickBackend } from './backend/picker';

const VERSION = '0.1.0';

function backendOption(): Option {
  return new Option('--backend <name>', 'force a tensor backend (else CCL_BACKEND, else the first that works)').choices([
    ...BACKEND_ORDER,
  ]);
}

/** What `ccl demo` will run once the pieces land; each line says which issue brings it. */
const DEMO_PLAN = [
  'synthesise a small audio-visual dataset as real mp4 files (@ccl/data)',
  'probe and prepare it into the clip cache (@ccl/data)',
  'pre-train small image and audio teachers on their own source tasks (@ccl/encoders)',
  'extract teacher features (@ccl/encoders)',
  'train the baseline student, CCL-AI and a KD baseline (@ccl/distill)',
  'evaluate recognition and retrieval, write the report with plots (@ccl/eval)',
];

export function buildProgram(): Command {
  const program = new Command('ccl')
    .description('Distil audio and image knowledge into video models (CCL, CVPR 2021) with TensorFlow.js')
    .version(VERSION)
    .showHelpAfterError(true);

  program
    .command('backend')
    .description('pick the tensor backend and say which one runs and why')
    .addOption(backendOption())
    .option('--json', 'print the report as JSON')
    .action(async (opts: { backend?: string; json?: boolean }) => {
      const report = await pickBackend({ force: opts.backend });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBackendReport(report)}\n`);
    });

  program
    .command('demo')
    .description('run the end-to-end demo on the built-in synthetic data')
    .addOption(backendOption())
    .action(async (opts: { backend?: string }) => {
      const report = await pickBackend({ force: opts.backend });
      process.stdout.write(`${formatBackendReport(report)}\n\n`);
      process.stdout.write('The end-to-end demo is not built yet. It will:\n');
      for (const step of DEMO_PLAN) process.stdout.write(`  - ${step}\n`);
    });

  return program;
}
