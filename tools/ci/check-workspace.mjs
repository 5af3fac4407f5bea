#!/usr/bin/env node
// Checks the workspace's shape before anything runs: the top level the design card fixes, every package's
// manifest (exports map, types, files, sideEffects, peer dependency on tfjs-core, the repository URL when there is one, and the
// license), that every package ships a README.md and a LICENSE equal to the root's, sibling ranges that
// match the workspace versions, and the changesets `fixed` group that releases everything in lockstep.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const problems = [];
const ALLOWED_TOP = new Set([
  'package.json',
  'package-lock.json',
  'nx.json',
  'tsconfig.base.json',
  'packages',
  'tools',
  'docs',
  'README.md',
  '.changeset',
  '.ci',
  '.git',
  '.gitignore',
  'node_modules',
  '.nx',
  'LICENSE',
]);
const tracked = fs.readdirSync(root);
for (const entry of tracked) if (!ALLOWED_TOP.has(entry)) problems.push(`top level: unexpected '${entry}' (the design fixes the top level)`);
for (const need of ['package.json', 'nx.json', 'tsconfig.base.json', 'packages', 'tools', 'docs', 'README.md', 'LICENSE', '.changeset', '.ci']) {
  if (!tracked.includes(need)) problems.push(`top level: '${need}' is missing`);
}

const EXPECTED = {
  base: '@ccl/base',
  backends: '@ccl/backends',
  experiments: '@ccl/experiments',
  data: '@ccl/data',
  encoders: '@ccl/encoders',
  compose: '@ccl/compose',
  losses: '@ccl/losses',
  distill: '@ccl/distill',
  eval: '@ccl/eval',
  queue: '@ccl/queue',
  ccl: '@ccl/toolkit',
  web: '@ccl/web',
};
const UMBRELLA = EXPECTED.ccl;
// The root package.json is the one source of the license every package repeats, and of the repository URL when
// the project has a public one: then every package repeats it with its own directory. It has none yet, so no
// package.json names one (an absent field is true, a made-up one is not): a placeholder is refused.
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const rootRepoUrl = rootPkg.repository?.url;
const PLACEHOLDER_URL = /example\.(invalid|com|org)|placeholder|TODO/i;
const rootLicense = fs.existsSync(path.join(root, 'LICENSE')) ? fs.readFileSync(path.join(root, 'LICENSE'), 'utf8') : null;
const manifests = {};
for (const [dir, name] of Object.entries(EXPECTED)) {
  const file = path.join(root, 'packages', dir, 'package.json');
  if (!fs.existsSync(file)) {
    problems.push(`packages/${dir}: package.json missing`);
    continue;
  }
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifests[name] = pkg;
  const where = `packages/${dir}/package.json`;
  if (pkg.name !== name) problems.push(`${where}: name is '${pkg.name}', expected '${name}'`);
  for (const field of ['exports', 'types', 'files', 'sideEffects']) if (pkg[field] === undefined) problems.push(`${where}: no '${field}'`);
  if (pkg.license !== rootPkg.license) problems.push(`${where}: license '${pkg.license}', the root's is '${rootPkg.license}'`);
  if (pkg.repository?.url !== rootRepoUrl)
    problems.push(`${where}: repository.url '${pkg.repository?.url}' differs from the root package.json's '${rootRepoUrl}'`);
  if (rootRepoUrl !== undefined && pkg.repository?.directory !== `packages/${dir}`)
    problems.push(`${where}: repository.directory '${pkg.repository?.directory}', expected 'packages/${dir}'`);
  for (const shipped of ['README.md', 'LICENSE']) {
    if (!(pkg.files ?? []).includes(shipped)) problems.push(`${where}: "files" must include ${shipped}`);
    if (!fs.existsSync(path.join(root, 'packages', dir, shipped))) problems.push(`packages/${dir}: ${shipped} missing`);
  }
  // a module that registers something when loaded (an encoder, a loss, a method) is listed in sideEffects, so
  // that neither tsup nor a user's bundler drops its import; a listed source file that is gone is a stale entry
  for (const entry of Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []) {
    if (entry.startsWith('./src/') && !entry.includes('*') && !fs.existsSync(path.join(root, 'packages', dir, entry))) {
      problems.push(`${where}: sideEffects lists ${entry}, which does not exist`);
    }
  }
  const license = path.join(root, 'packages', dir, 'LICENSE');
  if (rootLicense !== null && fs.existsSync(license) && fs.readFileSync(license, 'utf8') !== rootLicense) {
    problems.push(`packages/${dir}/LICENSE differs from the root LICENSE (copy it: cp LICENSE packages/${dir}/)`);
  }
  const dot = pkg.exports?.['.'];
  // ES modules only (docs/architecture.md, "One copy of each module per process"): one `default` per entry,
  // which `require` loads too; a separate `require` target would be a second copy of the package's state
  for (const [key, entry] of Object.entries(pkg.exports ?? {})) {
    if (key === './package.json') continue;
    if (typeof entry !== 'object' || !entry.types || !entry.default || !String(entry.default).endsWith('.mjs') || entry.require || entry.import)
      problems.push(`${where}: exports['${key}'] must be { types, default: './dist/<entry>.mjs' } (ES modules only, one copy per process)`);
  }
  // no source maps (they embedded every source: 40-75% of each package) and no minifying: the shipped .mjs is
  // readable, with the sources' names, which is what a user debugging from node_modules reads (docs/architecture.md)
  if (pkg.tsup?.sourcemap || pkg.tsup?.minify) problems.push(`${where}: tsup.sourcemap and tsup.minify must be off (ship readable .mjs, not a second copy)`);
  if (JSON.stringify(pkg.tsup?.format) !== '["esm"]') problems.push(`${where}: tsup.format must be ["esm"] (one build: one copy per process)`);
  if (dot === undefined) problems.push(`${where}: no exports['.']`);
  if (name !== UMBRELLA && !pkg.peerDependencies?.['@tensorflow/tfjs-core']) problems.push(`${where}: must peer-depend on @tensorflow/tfjs-core`);
  // @ccl/backends is the one library that ships tfjs backends (cpu, wasm) as dependencies: picking one is its job;
  // the web app (@ccl/web, an application like the umbrella) ships cpu for its Node server
  const tfjsDeps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@tensorflow/'));
  // (webgl and webgpu are bundled into its dist/app.js, so they are devDependencies; its Node server runs on cpu)
  const allowed = name === '@ccl/backends' ? /^@tensorflow\/tfjs-backend-(cpu|wasm)$/ : name === '@ccl/web' ? /^@tensorflow\/tfjs-backend-cpu$/ : null;
  if (name !== UMBRELLA && tfjsDeps.some((d) => allowed === null || !allowed.test(d))) {
    problems.push(`${where}: a library depends on a tfjs package directly; use a peer dependency on @tensorflow/tfjs-core`);
  }
  // the 66 MB static ffmpeg build is an optional peer everywhere (a system ffmpeg on PATH or $CCL_FFMPEG does as well)
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@ffmpeg-installer/'))) {
    if (pkg.dependencies?.[dep] || !pkg.peerDependenciesMeta?.[dep]?.optional)
      problems.push(`${where}: ${dep} must be an optional peer dependency (peerDependenciesMeta optional), not a dependency`);
  }
}
for (const [name, pkg] of Object.entries(manifests)) {
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    const sib = manifests[dep];
    if (sib && range !== sib.version && range !== `^${sib.version}`) {
      problems.push(`${name}: depends on ${dep}@${range} but the workspace has ${sib.version}`);
    }
  }
}
// @ccl/base bundles tfjs-core's gradient modules: every package's tfjs-core peer range is base's, the bundled
// major.minor (packages/base/test/gradients-version.test.ts checks base's against the bundled version)
const tfjsRange = manifests['@ccl/base']?.peerDependencies?.['@tensorflow/tfjs-core'];
for (const [name, pkg] of Object.entries(manifests)) {
  const range = pkg.peerDependencies?.['@tensorflow/tfjs-core'];
  if (range !== undefined && range !== tfjsRange) problems.push(`${name}: peer range @tensorflow/tfjs-core@${range} differs from @ccl/base's ${tfjsRange}`);
}
for (const [name, pkg] of Object.entries(manifests)) {
  if (pkg.version !== manifests[UMBRELLA]?.version)
    problems.push(`${name}: version ${pkg.version} differs from ${UMBRELLA} ${manifests[UMBRELLA]?.version} (fixed group)`);
}
const cs = JSON.parse(fs.readFileSync(path.join(root, '.changeset', 'config.json'), 'utf8'));
const fixed = (cs.fixed ?? []).find((g) => g.includes(UMBRELLA));
if (!fixed || !fixed.includes('@ccl/*')) problems.push(`.changeset/config.json: needs a fixed group ["${UMBRELLA}", "@ccl/*"]`);
// every pending changeset names workspace packages only (`changeset version` fails on an unknown name)
for (const file of fs.readdirSync(path.join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
  const front = /^---\n([\s\S]*?)\n---/.exec(fs.readFileSync(path.join(root, '.changeset', file), 'utf8'));
  for (const m of (front?.[1] ?? '').matchAll(/^["']?([^"':]+)["']?\s*:/gm)) {
    if (!manifests[m[1]]) problems.push(`.changeset/${file}: names '${m[1]}', which is no workspace package`);
  }
}

// The umbrella stays thin: re-exports and the `ccl` command, each command a few lines over library calls
// (orchestration belongs in the libraries: docs/architecture.md).
const UMBRELLA_MAX_LINES = 750; // 700 until `ccl weights import` (a command of ~35 lines over @ccl/encoders/node)
const umbrellaSrc = path.join(root, 'packages', 'ccl', 'src');
const umbrellaLines = fs
  .readdirSync(umbrellaSrc, { recursive: true })
  .filter((f) => String(f).endsWith('.ts'))
  .reduce((n, f) => n + fs.readFileSync(path.join(umbrellaSrc, String(f)), 'utf8').split('\n').length - 1, 0);
if (umbrellaLines > UMBRELLA_MAX_LINES)
  problems.push(`packages/ccl/src: ${umbrellaLines} lines, over the umbrella's ${UMBRELLA_MAX_LINES} (move orchestration into a library)`);

if (rootRepoUrl !== undefined && (typeof rootRepoUrl !== 'string' || PLACEHOLDER_URL.test(rootRepoUrl)))
  problems.push(`package.json: repository.url '${rootRepoUrl}' is a placeholder: leave the field out until the project has a public URL`);

for (const p of problems) console.error(`check-workspace: ${p}`);
if (problems.length) process.exit(1);
console.log(`check-workspace: ${Object.keys(manifests).length} packages ok`);
