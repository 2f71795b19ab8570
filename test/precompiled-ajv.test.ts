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

  it('writes the generated code and its V8 code cache once and loads them afterwards', () => {
    const dir = cacheDir();
    precompiledValidators(spec(dir));
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const [code, v8] = files;
    expect(code).toMatch(/^thing-schema-[0-9a-f]{16}\.js$/);
    expect(v8).toBe(`${code}.v8`);
    // The second call must not regenerate: a comment appended to the cached code survives, and the
    // code cache (now made for another source) is rejected by V8 and written anew.
    writeFileSync(join(dir, code), `${readFileSync(join(dir, code), 'utf8')}\n// cached\n`);
    writeFileSync(join(dir, v8), 'not a code cache');
    const { thing } = precompiledValidators(spec(dir));
    expect(thing({ name: 'ok' })).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(readFileSync(join(dir, code), 'utf8')).toContain('// cached');
    expect(readFileSync(join(dir, v8), 'utf8')).not.toBe('not a code cache');
  });

  it('a changed schema gets a new cache entry and the old one is removed', () => {
    const dir = cacheDir();
    precompiledValidators(spec(dir));
    const before = readdirSync(dir).sort();
    const stricter = { ...schema, properties: { ...schema.properties, name: { type: 'string', maxLength: 3 } } };
    const { thing } = precompiledValidators(spec(dir, stricter));
    const after = readdirSync(dir).sort();
    expect(after).toHaveLength(2);
    expect(after.filter((f) => before.includes(f))).toEqual([]);
    expect(thing({ name: 'long' })).toBe(false);
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
