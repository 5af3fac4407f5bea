#!/usr/bin/env node
// Adds up every package's jest results (written by `jest --json --outputFile`, kept by nx's cache)
// into one closing line, and fails if any package has no results or a failure.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
let passed = 0,
  failed = 0,
  skipped = 0;
const missing = [];
// A package with a `test-webgpu` script also has the WebGPU suite's results (.jest-results-webgpu.json).
const suites = [];
for (const dir of fs.readdirSync(path.join(root, 'packages'))) {
  suites.push({ name: dir, file: path.join(root, 'packages', dir, '.jest-results.json') });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.scripts?.['test-webgpu']) suites.push({ name: `${dir} (webgpu)`, file: path.join(root, 'packages', dir, '.jest-results-webgpu.json') });
}
for (const { name: dir, file } of suites) {
  if (!fs.existsSync(file)) {
    missing.push(dir);
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${dir}: ${r.numPassedTests} passed, ${r.numFailedTests} failed in ${r.numTotalTestSuites} suites`);
}
if (missing.length) console.error(`tests: no results for ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || missing.length ? 1 : 0);
