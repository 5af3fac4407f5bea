#!/usr/bin/env node
// Package-boundary lint (the project's equivalent of nx's enforce-module-boundaries rule).
// Usage: node tools/ci/lint.mjs <packageDir>. Fails (exit 1) when a package
//  - imports a sibling's internals (`@ccl/x/src/...`, or a relative path leaving the package; a subpath the
//    sibling's exports map declares, such as `@ccl/encoders/node`, is public),
//  - imports a sibling against the dependency direction (LAYERS below: base -> data/encoders/compose/losses/backends -> distill -> eval -> experiments -> queue -> ccl -> web),
//  - imports a package its package.json does not declare (dependencies or peerDependencies; devDependencies in
//    code bundled at build time, BUNDLED below: @ccl/web's page),
//  - names a tfjs backend outside the applications (the umbrella, @ccl/web's page) and @ccl/backends (libraries only
//    peer-depend on @tensorflow/tfjs-core),
//  - commits focused or skipped tests (`.only`, `.skip`, `xit`, `xdescribe`).
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

export const LAYERS = { base: 0, data: 1, encoders: 1, compose: 1, losses: 1, backends: 1, distill: 2, eval: 3, experiments: 4, queue: 4.5, ccl: 5, web: 6 };
// source folders bundled at build time (not loaded from node_modules at run time): they may import devDependencies
const BUNDLED = { web: 'src/page' };
const BACKENDS = /^@tensorflow\/tfjs-(node|node-gpu|backend-wasm|backend-cpu|backend-webgl|backend-webgpu)$/;
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;
const SKIP_RE = /\b(?:(?:it|test|describe)\.(?:only|skip|todo)|x(?:it|describe|test))\s*\(/;

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

function bareName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The subpaths ('./node') a sibling's package.json exports map declares: its public entries besides '.'. */
const subpathCache = new Map();
function publicSubpaths(selfRoot, sibling) {
  const file = path.join(selfRoot, '..', sibling, 'package.json');
  if (!subpathCache.has(file)) {
    const exportsMap = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).exports : undefined;
    const keys = exportsMap && typeof exportsMap === 'object' ? Object.keys(exportsMap) : [];
    subpathCache.set(file, new Set(keys.filter((k) => k.startsWith('./') && k !== './package.json' && !k.includes('*'))));
  }
  return subpathCache.get(file);
}

export function lintPackage(pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const self = path.basename(path.resolve(pkgDir));
  const layer = LAYERS[self];
  if (layer === undefined) return [`${pkgDir}: unknown package folder '${self}' (add it to LAYERS in tools/ci/lint.mjs)`];
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const problems = [];
  const root = path.resolve(pkgDir);
  for (const [area, files] of [
    ['src', walk(path.join(root, 'src'))],
    ['test', walk(path.join(root, 'test'))],
  ]) {
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(process.cwd(), file);
      if (area === 'test' && SKIP_RE.test(text)) problems.push(`${rel}: focused/skipped/todo test committed`);
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[2];
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          // tests may also use the shared fixtures and the system helpers (tools/system/browser.cjs)
          const shared = ['fixtures', 'system'].map((d) => path.resolve(root, '..', '..', 'tools', d) + path.sep);
          const allowed = target.startsWith(root + path.sep) || (area === 'test' && shared.some((d) => target.startsWith(d)));
          if (!allowed) problems.push(`${rel}: relative import '${spec}' leaves the package (tests may also use tools/fixtures and tools/system)`);
          continue;
        }
        if (builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
        const name = bareName(spec);
        const sibling = name === '@ccl/toolkit' ? 'ccl' : name.startsWith('@ccl/') ? name.slice(5) : null;
        if (sibling !== null) {
          if (spec !== name && !publicSubpaths(root, sibling).has(`.${spec.slice(name.length)}`)) {
            problems.push(`${rel}: deep import '${spec}': import the package's public API '${name}' (or a subpath its exports map declares) instead`);
          }
          if (LAYERS[sibling] === undefined) problems.push(`${rel}: unknown workspace package '${name}'`);
          else if (sibling !== self && LAYERS[sibling] >= layer)
            problems.push(
              `${rel}: '${self}' may not import '${name}' (dependency direction: base -> data/encoders/compose/losses/backends -> distill -> eval -> experiments -> queue -> ccl -> web)`,
            );
        }
        if (area === 'src') {
          if (self !== 'ccl' && self !== 'backends' && self !== 'web' && BACKENDS.test(name))
            problems.push(`${rel}: library packages never import a backend ('${name}'); the application picks one (@ccl/backends)`);
          const bundled = BUNDLED[self] !== undefined && file.startsWith(path.join(root, BUNDLED[self]) + path.sep);
          if (name !== pkg.name && !declared.has(name) && !(bundled && pkg.devDependencies?.[name]))
            problems.push(`${rel}: imports '${name}' which package.json does not declare${bundled ? ' (bundled code: devDependencies)' : ''}`);
        }
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2);
  const problems = dirs.flatMap((d) => lintPackage(d));
  for (const p of problems) console.error(`lint: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`lint: ${dirs.map((d) => path.basename(path.resolve(d))).join(', ')}: ok`);
}
