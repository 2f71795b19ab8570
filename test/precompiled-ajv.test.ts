import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { precompiledValidators, type PrecompiledValidatorsSpec } from '../src/shared/precompiled-ajv';
import { repoRoot } from '../src/shared/repo-files';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A cache folder inside build/, so the generated code resolves Ajv's runtime as the real cache does. */
function cacheDir(): string {
  mkdirSync(join(repoRoot(), 'build'), { recursive: true });
  const d = mkdtempSync(join(repoRoot(), 'build', 'test-ajv-cache-'));
  dirs.push(d);
  return d;
}

const schema = {
  $id: 'thing',
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z]+$' }, size: { type: 'integer', default: 1 } },
  required: ['name'],
  additionalProperties: false,
};
const options = { strict: true, allErrors: true, useDefaults: true, verbose: true };
const spec = (dir: string, s: object = schema): PrecompiledValidatorsSpec<'thing'> => ({ name: 'thing-schema', options, schemas: [s], refs: { thing: 'thing' }, cacheDir: dir });

/**
 * Runs `spec`'s validator on `inputs` in a fresh Node process with the compiled module (npm test
 * builds first), so the cache is used and written as by a real command; returns the results.
 */
function inChild(s: PrecompiledValidatorsSpec<'thing'>, inputs: unknown[]): boolean[] {
  const built = join(repoRoot(), 'build/src/shared/precompiled-ajv.js');
  const script = `const { precompiledValidators } = require(${JSON.stringify(built)}); const { thing } = precompiledValidators(${JSON.stringify(s)}); console.log(JSON.stringify(${JSON.stringify(inputs)}.map((x) => thing(x))));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as boolean[];
}

describe('precompiledValidators', () => {
  it('validates, applies defaults and reports errors exactly as Ajv compiled in memory does', () => {
    const { thing } = precompiledValidators(spec(cacheDir()));
    const reference = new Ajv(options).compile(schema);
    const data = { name: 'ok' };
    expect(thing(data)).toBe(true);
    expect(data).toEqual({ name: 'ok', size: 1 });
    for (const bad of [{ name: 'Not OK', size: 1.5, extra: true }, {}]) {
      expect(thing(structuredClone(bad))).toBe(false);
      expect(reference(structuredClone(bad))).toBe(false);
      expect(thing.errors).toEqual(reference.errors);
    }
  });

  it('writes the generated code, and its V8 code cache at exit, once; later processes load them', () => {
    const dir = cacheDir();
    expect(inChild(spec(dir), [{ name: 'ok' }])).toEqual([true]);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const [code, v8] = files;
    expect(code).toMatch(/^thing-schema-[0-9a-f]{16}\.js$/);
    expect(v8).toBe(`${code}.v8`);
    // No regeneration: a comment appended to the cached code survives, and the code cache (now made
    // for another source) is rejected by V8 and written anew.
    writeFileSync(join(dir, code), `${readFileSync(join(dir, code), 'utf8')}\n// cached\n`);
    writeFileSync(join(dir, v8), 'not a code cache');
    expect(inChild(spec(dir), [{ name: 'ok' }, { name: 1 }])).toEqual([true, false]);
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(readFileSync(join(dir, code), 'utf8')).toContain('// cached');
    expect(readFileSync(join(dir, v8), 'utf8')).not.toBe('not a code cache');
  });

  it('a changed schema gets a new cache entry and the old one is removed', () => {
    const dir = cacheDir();
    inChild(spec(dir), []);
    const before = readdirSync(dir).sort();
    const stricter = { ...schema, properties: { ...schema.properties, name: { type: 'string', maxLength: 3 } } };
    expect(inChild(spec(dir, stricter), [{ name: 'long' }])).toEqual([false]);
    const after = readdirSync(dir).sort();
    expect(after).toHaveLength(2);
    expect(after.filter((f) => before.includes(f))).toEqual([]);
  });

  it('still validates when the cache folder cannot be written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ajv-cache-')), 'not-a-folder');
    dirs.push(file);
    writeFileSync(file, '');
    const { thing } = precompiledValidators(spec(file));
    expect(thing({ name: 'ok' })).toBe(true);
    expect(thing({ name: 1 })).toBe(false);
  });
});
