// For tests that run code as a process of its own (a queue worker, the `ccl` command, a web server): the
// entry bundled from the sources into one Node script.
import * as path from 'node:path';

/**
 * Bundles the Node script `entry` with esbuild (the @ccl packages from their sources) into `outfile`. npm
 * packages stay external, except tfjs-core's ES-module gradient files (@ccl/base/gradients imports them;
 * its own build bundles them the same way): only the bare '@tensorflow/tfjs-core' is external.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const external =
    /^(@tensorflow\/tfjs-core$|@tensorflow\/tfjs-(node|node-gpu|backend-[a-z]+)$|mediainfo\.js|@ffmpeg-installer\/|bullmq|ioredis|commander|zod)/;
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    tsconfig: path.join(__dirname, '..', '..', 'tsconfig.base.json'), // its paths: the @ccl packages from their sources
    plugins: [
      { name: 'npm-external', setup: (b) => b.onResolve({ filter: /^[@a-z]/ }, (a) => (external.test(a.path) ? { path: a.path, external: true } : undefined)) },
    ],
    logLevel: 'silent',
  });
  return outfile;
}
