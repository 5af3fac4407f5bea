#!/usr/bin/env node
// After the build: every package packs (npm pack --dry-run) with its dist, passes publint, and its
// exports resolve from both ESM (import) and CJS (require) to the same module: the packages ship ES modules
// only, which `require` loads on Node >= 20.19, so both give one namespace object (one copy of every
// registry per process; docs/architecture.md, "One copy of each module"); every tarball ships
// README.md and LICENSE. Finally the `ccl` bin (package @ccl/toolkit) prints its package.json's version and
// reports a backend.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { publint } from 'publint';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const require = createRequire(path.join(root, 'package.json'));
const dirs = fs.readdirSync(path.join(root, 'packages')).filter((d) => fs.existsSync(path.join(root, 'packages', d, 'package.json')));
const problems = [];
for (const dir of dirs) {
  const pkgDir = path.join(root, 'packages', dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkgDir, encoding: 'utf8' }));
  const files = new Set(packed[0].files.map((f) => f.path));
  for (const f of ['dist/index.mjs', 'dist/index.d.mts', 'package.json', 'README.md', 'LICENSE']) {
    if (!files.has(f)) problems.push(`${pkg.name}: packed tarball lacks ${f}`);
  }
  const commonJs = [...files].filter((f) => f.startsWith('dist/') && !f.startsWith('dist/app/') && /\.(c?js|d\.c?ts)$/.test(f));
  if (commonJs.length) problems.push(`${pkg.name}: ships a second (CommonJS) build: ${commonJs.join(', ')}`);
  if ([...files].some((f) => f.startsWith('src/') || f.startsWith('test/'))) problems.push(`${pkg.name}: tarball ships sources or tests`);
  const { messages } = await publint({ pkgDir, strict: true, pack: false });
  for (const m of messages.filter((x) => x.type !== 'suggestion')) problems.push(`${pkg.name}: publint ${m.type} ${m.code} at ${m.path?.join('.')}`);
  const cjs = require(pkg.name);
  const esm = await import(pkg.name);
  if (cjs !== esm) problems.push(`${pkg.name}: require() and import() give two different module objects (two copies of its state)`);
  const cjsKeys = Object.keys(cjs)
    .filter((k) => k !== '__esModule')
    .sort();
  const esmKeys = Object.keys(esm)
    .filter((k) => k !== 'default' && k !== 'module.exports')
    .sort();
  if (JSON.stringify(cjsKeys) !== JSON.stringify(esmKeys)) {
    problems.push(`${pkg.name}: ESM exports [${esmKeys}] differ from CJS exports [${cjsKeys}]`);
  }
  console.log(`check-exports: ${pkg.name}: ${files.size} files packed, ${esmKeys.length} exports in ESM and CJS`);
}
const bin = path.join(root, 'packages/ccl/bin/ccl.cjs');
const umbrella = JSON.parse(fs.readFileSync(path.join(root, 'packages/ccl/package.json'), 'utf8'));
const printed = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim();
if (printed !== umbrella.version) problems.push(`ccl --version printed '${printed}', ${umbrella.name}'s package.json says '${umbrella.version}'`);
else console.log(`check-exports: ccl --version -> ${printed} (${umbrella.name}'s package.json)`);
const out = execFileSync(process.execPath, [bin, 'backend', '--json'], { encoding: 'utf8' });
const report = JSON.parse(out);
if (!['node-gpu', 'node', 'wasm', 'cpu'].includes(report.name)) problems.push(`ccl backend: unexpected backend '${report.name}'`);
console.log(`check-exports: ccl backend -> ${report.name} (${report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'nothing skipped'})`);
for (const p of problems) console.error(`check-exports: ${p}`);
if (problems.length) process.exit(1);
