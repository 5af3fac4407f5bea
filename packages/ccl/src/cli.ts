import { Command, CommanderError, Option } from 'commander';
import { env } from '@tensorflow/tfjs-core';
import { buildProgram } from './commands';

/** Runs the CLI; resolves to the process exit code (2 for usage errors, 1 for failures). */
export async function main(argv: string[]): Promise<number> {
  // tfjs's console notes (the cpu backend's "running TensorFlow.js in Node.js" banner) are not ccl's to print
  if (!process.env.CCL_DEBUG) env().set('PROD', true);
  const program: Command = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    process.stderr.write(`ccl: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.CCL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

export { Option };
