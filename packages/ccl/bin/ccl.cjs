#!/usr/bin/env node
'use strict';
// The `ccl` command. Runs the built CLI (dist/cli.mjs, an ES module: the packages ship ESM only, so every
// program loads one copy of each module, see docs/architecture.md); from a source checkout, build first (`npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const cli = path.join(__dirname, '..', 'dist', 'cli.mjs');
if (!fs.existsSync(cli)) {
  process.stderr.write(`ccl: ${cli} is missing: run \`npm run build\` in the repository first.\n`);
  process.exit(1);
}
import(pathToFileURL(cli).href)
  .then((m) => m.main(process.argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`ccl: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
    },
  );
