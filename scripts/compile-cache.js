// @ts-check
/**
 * V8 code cache for the CommonJS modules a command loads (about 900 for `npm run synth`: cdktf,
 * cdk8s, yaml, ours). Compiling them took ~0.1 s of every run; loading V8's cached code for them a
 * fraction of that.
 *
 * Node >= 22.1 has this built in (`module.enableCompileCache`), and it is used there. On older Node
 * the same is done the way the v8-compile-cache package does it: `Module.prototype._compile` runs the
 * module's wrapper through `vm.Script` with the cached data of an earlier run. One cache file per
 * module path holds a CRC-32 of the source it was made from, so an edited module is compiled anew
 * (V8 itself only checks the source length); cached data V8 rejects (other Node version or flags) is
 * replaced. New or replaced entries are written when the process exits. Deleting the folder only
 * costs one slower run.
 */
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');
const { threadId } = require('node:worker_threads');
const { crc32 } = require('node:zlib');

/** Bytes of the CRC-32 that precede V8's data in a cache file. */
const HEADER = 4;

/**
 * Enables the code cache for every CommonJS module loaded from now on.
 * @param {string} dir cache folder (created when needed)
 */
function enableCompileCache(dir) {
  const builtIn = /** @type {{ enableCompileCache?: (dir: string) => unknown }} */ (/** @type {unknown} */ (Module)).enableCompileCache;
  if (typeof builtIn === 'function') {
    builtIn(dir);
    return;
  }
  /** @type {{ file: string, checksum: number, script: vm.Script }[]} */
  const pending = [];
  const prototype = /** @type {{ _compile: (this: Module, content: string, filename: string) => unknown }} */ (/** @type {unknown} */ (Module.prototype));
  prototype._compile = function compileWithCache(content, filename) {
    const file = join(dir, createHash('sha1').update(filename).digest('hex'));
    const checksum = crc32(content);
    const cachedData = readCache(file, checksum);
    // A hashbang is only valid at the very start of a script, not inside the function wrapper.
    const source = content.startsWith('#!') ? `//${content}` : content;
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) pending.push({ file, checksum, script });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  flush = () => {
    if (pending.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true });
      for (const { file, checksum, script } of pending.splice(0)) {
        const header = Buffer.alloc(HEADER);
        header.writeUInt32BE(checksum);
        // Made at exit, the data also holds the functions compiled while the command ran.
        const temp = `${file}.${process.pid}.${threadId}.tmp`;
        writeFileSync(temp, Buffer.concat([header, script.createCachedData()]));
        renameSync(temp, file);
      }
    } catch {
      // A cache that cannot be written only makes the next run as slow as this one.
    }
  };
  process.once('exit', flush);
}

/** Writes the cache entries made so far (a worker thread does before it answers: the process may end before the thread's exit). */
let flush = () => {
  const builtIn = /** @type {{ flushCompileCache?: () => void }} */ (/** @type {unknown} */ (Module)).flushCompileCache;
  if (typeof builtIn === 'function') builtIn();
};

function flushCompileCache() {
  flush();
}

/**
 * V8's cached data in `file` when it was made from a source with this checksum.
 * @param {string} file
 * @param {number} checksum
 * @returns {Buffer | undefined}
 */
function readCache(file, checksum) {
  let data;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  return data.length > HEADER && data.readUInt32BE(0) === checksum ? data.subarray(HEADER) : undefined;
}

/**
 * The `require` Node gives a module (see lib/internal/modules/helpers.js makeRequireFunction).
 * @param {Module} module
 */
function requireFor(module) {
  const internals = /** @type {{ _resolveFilename: (request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }) => string, _resolveLookupPaths: (request: string, parent: Module) => string[] | null, _extensions: NodeJS.RequireExtensions, _cache: NodeJS.Dict<NodeJS.Module> }} */ (
    /** @type {unknown} */ (Module)
  );
  /** @param {string} id */
  const require = (id) => module.require(id);
  /** @param {string} request @param {{ paths?: string[] }} [options] */
  const resolve = (request, options) => internals._resolveFilename(request, module, false, options);
  /** @param {string} request */
  resolve.paths = (request) => internals._resolveLookupPaths(request, module);
  return Object.assign(require, { resolve, main: process.mainModule, extensions: internals._extensions, cache: internals._cache });
}

module.exports = { enableCompileCache, flushCompileCache };
