#!/usr/bin/env node
'use strict';
// The `ccl` command. Runs the built CLI (dist/cli.js); from a source checkout, build first (`npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`ccl: ${cli} is missing: run \`npm run build\` in the repository first.\n`);
  process.exit(1);
}
require(cli)
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`ccl: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
    },
  );
