#!/usr/bin/env node
// @ts-check
/**
 * The `confidentialize` command of this package (`npx confidentialize ...`, package.json "bin").
 * Plain JavaScript because it runs before anything is built: scripts/run-built.js brings build/ up
 * to date for the sources that changed (a fresh clone has no build/ at all), then runs
 * build/src/cli/confidentialize.js in this process. It prints nothing itself: stdout is the YAML.
 */
'use strict';
const { join } = require('node:path');

process.argv.splice(2, 0, 'build/src/cli/confidentialize.js');
require(join(__dirname, '..', 'scripts', 'run-built.js'));
