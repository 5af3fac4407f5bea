#!/usr/bin/env node
'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');
// dist/cli.mjs is an ES module (the packages ship ESM only; see docs/architecture.md)
import(pathToFileURL(path.join(__dirname, '..', 'dist', 'cli.mjs')).href)
  .then((m) => m.webMain(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
