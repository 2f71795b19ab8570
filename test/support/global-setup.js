// @ts-check
/**
 * jest globalSetup (globalTeardown: global-teardown.js). Workers inherit the environment of the
 * process that runs it, so what is set here holds for every test file.
 *
 * - A scratch folder in memory. The tests write and delete tens of thousands of small files (temp
 *   repositories, fake nodes, control-plane stores); on this machine's ext4 /tmp those metadata
 *   operations cost 0.2-0.5 ms each in the kernel, and BSD process accounting put the whole suite
 *   at 135 s of CPU with /tmp against 113 s with a tmpfs. So TMPDIR points into /dev/shm when that
 *   is a writable tmpfs with room; otherwise the default stays. An explicit COCO_TEST_TMPDIR wins.
 * - COCO_RENDER_CACHE: where the first test that needs the shipped configuration rendered puts
 *   that render, and every later one copies it (renderedRepo in render-repo.ts). Per run, so
 *   nothing outlives the code and config it was made from.
 */
'use strict';
const { mkdtempSync, statfsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** Linux's TMPFS_MAGIC (statfs f_type). */
const TMPFS = 0x01021994;
/** The most the suite has in its scratch folder at once is well under this. */
const ROOM = 2 * 1024 ** 3;

function memoryScratch() {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.type !== TMPFS || fs.bavail * fs.bsize < ROOM) return undefined;
    return mkdtempSync('/dev/shm/ct-');
  } catch {
    return undefined;
  }
}

module.exports = async function setup() {
  if (process.env.COCO_TEST_TMPDIR) {
    process.env.TMPDIR = process.env.COCO_TEST_TMPDIR;
  } else {
    const scratch = memoryScratch();
    if (scratch) {
      process.env.TMPDIR = scratch;
      // Ours, so teardown removes it.
      process.env.COCO_TEST_SCRATCH = scratch;
    }
  }
  process.env.COCO_RENDER_CACHE = mkdtempSync(join(tmpdir(), 'coco-render-cache-'));
};
