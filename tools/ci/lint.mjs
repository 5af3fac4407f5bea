#!/usr/bin/env node
// Each package's `lint` target. Usage: node tools/ci/lint.mjs <packageDir>... Fails (exit 1) when
//  - dependency-cruiser finds a module-boundary violation (tools/ci/dependency-cruiser.cjs: the layers are nx
//    project tags; imports only to lower layers and to public entries, no import circles, no undeclared or
//    dev-only npm package in shipped code, no tfjs backend named by a library, nothing of tools/ but the
//    shared fixtures and system helpers in tests), or
//  - a test file commits a focused or skipped test (`.only`, `.skip`, `.todo`, `xit`, `xdescribe`).
// The workspace root is the packages' grandparent folder (packages/<name>).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SKIP_RE = /\b(?:(?:it|test|describe)\.(?:only|skip|todo)|x(?:it|describe|test))\s*\(/;
const config = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dependency-cruiser.cjs');
// dependency-cruiser (a root devDependency) as installed in this repository's node_modules: its command file
const depcruise = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Problems of the packages in `pkgDirs` (all under one workspace's packages/ folder), one line each. */
export function lintPackages(pkgDirs) {
  const dirs = pkgDirs.map((d) => path.resolve(d));
  const root = path.dirname(path.dirname(dirs[0]));
  const problems = [];
  for (const dir of dirs) {
    if (path.dirname(path.dirname(dir)) !== root || path.basename(path.dirname(dir)) !== 'packages')
      return [`${dir}: not a folder of ${path.join(root, 'packages')}`];
    for (const file of walk(path.join(dir, 'test')))
      if (SKIP_RE.test(fs.readFileSync(file, 'utf8'))) problems.push(`${path.relative(root, file)}: focused/skipped/todo test committed`);
  }
  const targets = dirs.flatMap((d) => ['src', 'test'].map((s) => path.join(d, s)).filter((p) => fs.existsSync(p))).map((p) => path.relative(root, p));
  const r = spawnSync(process.execPath, [depcruise, '--config', config, '--output-type', 'err', ...targets], {
    cwd: root,
    encoding: 'utf8',
    // plain text: dependency-cruiser colours its report where CI=true (supports-color), which a reader of the
    // log and the lint's own test should not have to strip
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', CCL_LINT_ROOT: root, CCL_LINT_PACKAGES: dirs.map((d) => path.basename(d)).join(',') },
  });
  if (r.status !== 0) {
    const out = `${r.stdout}${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '').trim();
    problems.push(
      ...(out ? out.split('\n').filter((l) => l.trim() && !/^x \d+ dependency violations/.test(l.trim())) : [`dependency-cruiser failed (${r.status})`]),
    );
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // no folders named: every package of the workspace
  const packagesDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'packages');
  const dirs =
    process.argv.length > 2
      ? process.argv.slice(2)
      : fs
          .readdirSync(packagesDir)
          .map((d) => path.join(packagesDir, d))
          .filter((d) => fs.existsSync(path.join(d, 'package.json')));
  const problems = lintPackages(dirs);
  for (const p of problems) console.error(`lint: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`lint: ${dirs.map((d) => path.basename(path.resolve(d))).join(', ')}: ok`);
}
