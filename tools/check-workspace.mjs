#!/usr/bin/env node
// Checks the workspace's shape before anything runs: the top level the design card fixes, every package's
// manifest (exports map, types, files, sideEffects, peer dependency on tfjs-core), sibling ranges that
// match the workspace versions, and the changesets `fixed` group that releases everything in lockstep.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const problems = [];
const ALLOWED_TOP = new Set(['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', 'packages', 'tools', 'docs',
  'README.md', '.changeset', '.ci', '.git', '.gitignore', 'node_modules', '.nx', 'LICENSE']);
const tracked = fs.readdirSync(root);
for (const entry of tracked) if (!ALLOWED_TOP.has(entry)) problems.push(`top level: unexpected '${entry}' (the design fixes the top level)`);
for (const need of ['package.json', 'nx.json', 'tsconfig.base.json', 'packages', 'tools', 'docs', 'README.md', '.changeset', '.ci']) {
  if (!tracked.includes(need)) problems.push(`top level: '${need}' is missing`);
}

const EXPECTED = { base: '@ccl/base', backends: '@ccl/backends', experiments: '@ccl/experiments', data: '@ccl/data', encoders: '@ccl/encoders', compose: '@ccl/compose', losses: '@ccl/losses',
  distill: '@ccl/distill', eval: '@ccl/eval', ccl: 'ccl' };
const manifests = {};
for (const [dir, name] of Object.entries(EXPECTED)) {
  const file = path.join(root, 'packages', dir, 'package.json');
  if (!fs.existsSync(file)) { problems.push(`packages/${dir}: package.json missing`); continue; }
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifests[name] = pkg;
  const where = `packages/${dir}/package.json`;
  if (pkg.name !== name) problems.push(`${where}: name is '${pkg.name}', expected '${name}'`);
  for (const field of ['exports', 'types', 'files', 'sideEffects']) if (pkg[field] === undefined) problems.push(`${where}: no '${field}'`);
  const dot = pkg.exports?.['.'];
  if (!dot?.import || !dot?.require) problems.push(`${where}: exports['.'] needs both 'import' and 'require'`);
  if (name !== 'ccl' && !pkg.peerDependencies?.['@tensorflow/tfjs-core']) problems.push(`${where}: must peer-depend on @tensorflow/tfjs-core`);
  // @ccl/backends is the one library that ships tfjs backends (cpu, wasm) as dependencies: picking one is its job
  const tfjsDeps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@tensorflow/'));
  const allowed = name === '@ccl/backends' ? /^@tensorflow\/tfjs-backend-(cpu|wasm)$/ : null;
  if (name !== 'ccl' && tfjsDeps.some((d) => allowed === null || !allowed.test(d))) {
    problems.push(`${where}: a library depends on a tfjs package directly; use a peer dependency on @tensorflow/tfjs-core`);
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
for (const [name, pkg] of Object.entries(manifests)) {
  if (pkg.version !== manifests.ccl?.version) problems.push(`${name}: version ${pkg.version} differs from ccl ${manifests.ccl?.version} (fixed group)`);
}
const cs = JSON.parse(fs.readFileSync(path.join(root, '.changeset', 'config.json'), 'utf8'));
const fixed = (cs.fixed ?? []).find((g) => g.includes('ccl'));
if (!fixed || !fixed.includes('@ccl/*')) problems.push(`.changeset/config.json: needs a fixed group ["ccl", "@ccl/*"]`);

for (const p of problems) console.error(`check-workspace: ${p}`);
if (problems.length) process.exit(1);
console.log(`check-workspace: ${Object.keys(manifests).length} packages ok`);
