// `ccl-web`: serves the web app with an exported student.
//   ccl-web serve --model DIR [--port N]          a folder written by `ccl export`
//   ccl-web demo [--work DIR] [--run NAME] [--port N]   exports the demo's student (after `npm run demo`) and serves it
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { DEMO_DEFAULTS, exportStudent } from '@ccl/experiments';
import { startWebServer } from './server/serve';

const USAGE = `usage: ccl-web serve --model DIR [--port N]
       ccl-web demo [--work DIR] [--run NAME] [--port N]   (default: ~/.cache/ccl/demo, run ccl-ai-s1)`;

/** The bundled page beside this file (dist/app). */
export function defaultAppDir(): string {
  return path.join(__dirname, 'app');
}

export async function webMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        work: { type: 'string' },
        run: { type: 'string' },
        port: { type: 'string' },
        app: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`ccl-web: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || positionals.length !== 1 || !['serve', 'demo'].includes(positionals[0]!)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    await tf.setBackend('cpu'); // exporting passes the checkpoint's tensors through tfjs
    let modelDir: string;
    if (positionals[0] === 'serve') {
      if (!values.model) throw new Error('serve needs --model DIR (a folder written by ccl export)');
      modelDir = path.resolve(values.model);
    } else {
      const work = path.resolve(values.work ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ccl', 'demo'));
      const runDir = path.join(work, 'runs', values.run ?? 'ccl-ai-s1');
      modelDir = path.join(work, 'web-model');
      // the demo's clip, for a demo run made before run folders recorded theirs (a recorded one must equal it)
      // the demo's own folder: force, so one exported before exports recorded their files is replaced too
      const { spec } = exportStudent(runDir, modelDir, { frames: DEMO_DEFAULTS.student.frames, size: DEMO_DEFAULTS.student.size, force: true });
      process.stdout.write(
        `exported ${runDir} (${spec.classes.length} classes, ${spec.clip.frames} frames at ${spec.clip.size}x${spec.clip.size}) to ${modelDir}\n`,
      );
    }
    const server = await startWebServer({ appDir: values.app ? path.resolve(values.app) : defaultAppDir(), modelDir, port });
    process.stdout.write(`serving the web app at ${server.url} (Ctrl-C stops)\n`);
    return await new Promise<number>((resolve) => process.once('SIGINT', () => void server.close().then(() => resolve(0))));
  } catch (e) {
    process.stderr.write(`ccl-web: ${(e as Error).message}\n`);
    return 1;
  }
}
