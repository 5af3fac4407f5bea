#!/usr/bin/env node
// After the build: a publish dry run of every published package (`npm publish --dry-run`, what
// `npm run release` would upload, without uploading), so that a release cannot fail on something the
// tests never tried. Each package must publish at the version its package.json says, the same version as
// every other package (one `fixed` changesets group), ship its CHANGELOG.md, README.md and LICENSE, and
// depend on the other @ccl packages at exactly that version. Nothing is published.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dirs = fs.readdirSync(path.join(root, 'packages')).filter((d) => fs.existsSync(path.join(root, 'packages', d, 'package.json')));
const packages = dirs
  .map((dir) => ({ dir, pkg: JSON.parse(fs.readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);
const problems = [];
const versions = new Set(packages.map(({ pkg }) => pkg.version));
if (versions.size !== 1) problems.push(`the packages are not at one version (changesets' fixed group): ${[...versions].join(', ')}`);
for (const { dir, pkg } of packages) {
  const r = spawnSync('npm', ['publish', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(root, 'packages', dir), encoding: 'utf8' });
  if (r.status !== 0) {
    problems.push(`${pkg.name}: npm publish --dry-run failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    continue;
  }
  const report = JSON.parse(r.stdout);
  const published = report[pkg.name] ?? report; // npm 11: keyed by name; npm 10: the package itself
  if (published.version !== pkg.version) problems.push(`${pkg.name}: would publish ${published.version}, package.json says ${pkg.version}`);
  const files = new Set(published.files.map((f) => f.path));
  for (const f of ['CHANGELOG.md', 'README.md', 'LICENSE', 'package.json']) if (!files.has(f)) problems.push(`${pkg.name}: would publish without ${f}`);
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (name.startsWith('@ccl/') && range !== pkg.version) problems.push(`${pkg.name}: depends on ${name}@${range}, not the release's ${pkg.version}`);
  }
}
if (problems.length) {
  for (const p of problems) process.stderr.write(`check-publish: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`check-publish: ${packages.length} packages would publish at ${[...versions][0]} (npm publish --dry-run)\n`);
