// @ts-check
/**
 * `node scripts/run-built.js <build/...js> [args]`: brings build/ up to date for the TypeScript files
 * of src/ and scripts/ that changed since they were last compiled, then runs the built entry point in
 * this same process (one Node start-up, not two), with V8's code cache (compile-cache.js).
 *
 * Why not `tsc`: a full type-checking build took 0.6-1.4 s of every `npm run synth`; transpiling the
 * one file a user edited takes ~0.1 s (@swc/core, the transform jest already uses), and nothing at
 * all when nothing changed. Types are still checked by `npm test` (its `tsc` build overwrites build/
 * with tsc's output). Staleness is make's rule: a `.js` older than its `.ts`, or missing, is rebuilt.
 *
 * Plain JavaScript because it has to run before anything is built.
 */
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');
const { enableCompileCache } = require('./compile-cache');

const repo = resolve(__dirname, '..');
const BUILD = 'build';
/** The folders tsconfig.json compiles that rendering and the bench run from (test/ runs under jest). */
const SOURCE_DIRS = ['src', 'scripts'];

/**
 * TypeScript files under `dir` whose build output is missing or older.
 * @param {string} dir absolute
 * @param {string[]} stale collects repository-relative paths
 */
function collectStale(dir, stale) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collectStale(path, stale);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const rel = relative(repo, path);
      const built = statSync(join(repo, BUILD, rel.replace(/\.ts$/, '.js')), { throwIfNoEntry: false });
      if (!built || built.mtimeMs < statSync(path).mtimeMs) stale.push(rel);
    }
  }
}

/**
 * Transpiles each file to CommonJS as tsconfig.json's `module: nodenext` does for this package
 * (no "type": "module"), with the target and parser options jest uses.
 * @param {string[]} files repository-relative `.ts` paths
 */
function transpile(files) {
  // Loaded only when something changed: requiring @swc/core alone costs ~70 ms.
  const swc = require('@swc/core');
  for (const rel of files) {
    const { code } = swc.transformSync(readFileSync(join(repo, rel), 'utf8'), {
      filename: rel,
      swcrc: false,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    const out = join(repo, BUILD, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    // Through a temporary name: a command running at the same time never loads half a file.
    const temp = `${out}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, out);
  }
}

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/run-built.js <build/...js> [args]\n');
  process.exit(2);
}
enableCompileCache(join(repo, BUILD, 'compile-cache'));
// For the worker thread that synthesizes Terraform (src/infra/terraform-worker.ts): the same cache.
process.env.COCO_COMPILE_CACHE_DIR = join(repo, BUILD, 'compile-cache');
/** @type {string[]} */
const stale = [];
for (const dir of SOURCE_DIRS) collectStale(join(repo, dir), stale);
if (stale.length > 0) transpile(stale);
// The entry point reads its own arguments from process.argv.slice(2), as if started directly.
const main = resolve(repo, entry);
process.argv.splice(1, 2, main);
require(main);
