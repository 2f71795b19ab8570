// @ts-check
/** jest globalTeardown: removes what global-setup.js made for the run. */
'use strict';
const { rmSync } = require('node:fs');

module.exports = async function teardown() {
  for (const dir of [process.env.COCO_RENDER_CACHE, process.env.COCO_TEST_SCRATCH]) if (dir) rmSync(dir, { recursive: true, force: true });
};
