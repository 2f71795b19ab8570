import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/shared/repo-files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `entry` in a fresh Node with the code cache in `dir/cache`; returns what it printed. */
function run(entry: string): string {
  const hook = join(repoRoot(), 'scripts/compile-cache.js');
  const script = `require(${JSON.stringify(hook)}).enableCompileCache(${JSON.stringify(join(dir, 'cache'))}); require(${JSON.stringify(entry)});`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('compile cache', () => {
  it('modules run as under plain require: exports, require, require.resolve, __dirname, a hashbang', () => {
    writeFileSync(join(dir, 'dep.js'), 'exports.value = 41;\n');
    writeFileSync(
      join(dir, 'main.js'),
      '#!/usr/bin/env node\nconst { value } = require("./dep");\nconsole.log(value + 1, require.resolve("./dep") === __dirname + "/dep.js", module.exports === this);\n',
    );
    expect(run(join(dir, 'main.js'))).toBe('42 true true\n');
    expect(readdirSync(join(dir, 'cache'))).toHaveLength(2);
    // From the cache, the same.
    expect(run(join(dir, 'main.js'))).toBe('42 true true\n');
  });

  it('an edited module runs its new code, even at the same length (V8 only checks the length)', () => {
    const file = join(dir, 'm.js');
    writeFileSync(file, 'console.log("aaa");\n');
    expect(run(file)).toBe('aaa\n');
    writeFileSync(file, 'console.log("bbb");\n');
    expect(run(file)).toBe('bbb\n');
  });

  it('a damaged cache file is ignored and replaced', () => {
    const file = join(dir, 'm.js');
    writeFileSync(file, 'console.log("ok");\n');
    run(file);
    const [entry] = readdirSync(join(dir, 'cache'));
    writeFileSync(join(dir, 'cache', entry), 'garbage');
    expect(run(file)).toBe('ok\n');
    expect(run(file)).toBe('ok\n');
  });
});
