// jest globalSetup/globalTeardown: one folder per test run where the first test that needs the
// shipped configuration rendered puts that render, and every later one copies it (see
// renderedRepo in render-repo.ts). Per run, so nothing outlives the code and config it was made from.
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function setup() {
  // Workers inherit the environment of the process that runs globalSetup.
  process.env.COCO_RENDER_CACHE = mkdtempSync(join(tmpdir(), 'coco-render-cache-'));
};

module.exports.teardown = async function teardown() {
  if (process.env.COCO_RENDER_CACHE) rmSync(process.env.COCO_RENDER_CACHE, { recursive: true, force: true });
};
