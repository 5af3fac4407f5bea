#!/usr/bin/env node
// Bundles the web app's page (src/page/main.ts and what it imports: the @ccl libraries from their sources,
// tfjs-core, the WebGL and cpu backends) into OUT_DIR/app.js with esbuild, beside a copy of index.html.
// Node built-ins reached by the main entries of @ccl/eval and @ccl/backends (file I/O and probes the page never
// calls) become empty modules. @ccl/data's main entry reaches none (its file I/O is in @ccl/data/node, which
// @ccl/eval's run evaluation imports): npm packages get no stub, and what the page never calls (node-tar)
// is tree-shaken out of app.js.
// Usage: node scripts/bundle-page.mjs [OUT_DIR]   (default dist/app)
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(process.argv[2] ?? path.join(here, 'dist', 'app'));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const nodeBuiltinsEmpty = {
  name: 'node-builtins-empty',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => (builtins.has(args.path) ? { path: args.path, namespace: 'empty' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};
fs.mkdirSync(out, { recursive: true });
const started = Date.now();
const result = await esbuild.build({
  entryPoints: [path.join(here, 'src', 'page', 'main.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  tsconfig: path.join(here, 'tsconfig.json'),
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [nodeBuiltinsEmpty],
  logLevel: 'warning',
  metafile: true,
});
fs.copyFileSync(path.join(here, 'src', 'page', 'index.html'), path.join(out, 'index.html'));
const bytes = Object.values(result.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
console.log(
  `bundle-page: ${path.relative(process.cwd(), out) || '.'}/app.js ${(bytes / 1024).toFixed(0)} KB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
