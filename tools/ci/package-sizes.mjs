#!/usr/bin/env node
// What a user installs with each package: `npm pack --dry-run --json --workspaces` (the tarball's size,
// unpacked size and file count; the build must have run), and the packages npm installs with it (its
// dependencies, its optional dependencies for this platform and its non-optional peer dependencies,
// transitively; optional peers are left out, as npm leaves them out), with their size on disk as laid out in this workspace's node_modules (apparent bytes).
// docs/architecture.md ("What a user installs with each package") quotes its output.
// Usage: node tools/ci/package-sizes.mjs [--json]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--workspaces', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
const byName = new Map(packed.map((p) => [p.name, p]));
const workspaceDir = new Map(
  fs
    .readdirSync(path.join(root, 'packages'))
    .map((d) => path.join(root, 'packages', d))
    .filter((d) => fs.existsSync(path.join(d, 'package.json')))
    .map((d) => [JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).name, d]),
);

const sizeCache = new Map();
function sizeOf(dir) {
  if (sizeCache.has(dir)) return sizeCache.get(dir);
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) total += entry.name === 'node_modules' ? 0 : sizeOf(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  sizeCache.set(dir, total);
  return total;
}
/** The folder npm would load `name` from, seen from the package in `fromDir` (nested first, then hoisted). */
function resolveDir(name, fromDir) {
  for (let d = fromDir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (d === path.dirname(d)) return undefined;
  }
}
function installs(name) {
  const seen = new Map(); // external name@dir -> bytes
  const ccl = new Set();
  const visit = (dep, fromDir) => {
    if (workspaceDir.has(dep)) {
      if (ccl.has(dep)) return;
      ccl.add(dep);
      return follow(workspaceDir.get(dep));
    }
    const dir = resolveDir(dep, fromDir);
    if (!dir || seen.has(dir)) return;
    seen.set(dir, { name: dep, bytes: sizeOf(dir) });
    follow(dir);
  };
  const follow = (dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const optional = pkg.peerDependenciesMeta ?? {};
    const peers = Object.keys(pkg.peerDependencies ?? {}).filter((d) => !optional[d]?.optional);
    // optional dependencies: npm installs those for this platform (what is on disk here)
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...peers]) visit(dep, dir);
  };
  visit(name, root);
  ccl.delete(name);
  const external = [...seen.values()];
  const cclBytes = [...ccl].reduce((n, d) => n + (byName.get(d)?.unpackedSize ?? 0), 0);
  return { ccl: [...ccl].sort(), external, bytes: cclBytes + external.reduce((n, e) => n + e.bytes, 0) };
}

const MB = (b) => (b / 1e6).toFixed(b < 1e7 ? 2 : 1);
const rows = [...byName.values()].map((p) => {
  const dist = (p.files ?? []).filter((f) => f.path.startsWith('dist/'));
  const maps = dist.filter((f) => f.path.endsWith('.map')).reduce((n, f) => n + f.size, 0);
  const inst = installs(p.name);
  const biggest = inst.external.sort((a, b) => b.bytes - a.bytes).slice(0, 4);
  return {
    name: p.name,
    packedBytes: p.size,
    unpackedBytes: p.unpackedSize,
    files: p.entryCount,
    sourceMapBytes: maps,
    installedBytes: p.unpackedSize + inst.bytes,
    cclPackages: inst.ccl.length,
    externalPackages: inst.external.length,
    largestExternal: biggest.map((e) => `${e.name} ${MB(e.bytes)} MB`),
  };
});
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('| package | packed | unpacked (of which .map) | files | installed with its dependencies | @ccl / other packages | largest dependencies |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${MB(r.packedBytes)} MB | ${MB(r.unpackedBytes)} MB (${MB(r.sourceMapBytes)}) | ${r.files} | ${MB(r.installedBytes)} MB | ${r.cclPackages} / ${r.externalPackages} | ${r.largestExternal.join(', ')} |`,
    );
}
