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

  it('writes the generated code once and loads it from the cache afterwards', () => {
    const dir = cacheDir();
    precompiledValidators(spec(dir));
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^thing-schema-[0-9a-f]{16}\.js$/);
    // The second call must not regenerate: a marker appended to the cached file survives.
    writeFileSync(join(dir, file), `${readFileSync(join(dir, file), 'utf8')}\n// cached\n`);
    precompiledValidators(spec(dir));
    expect(readdirSync(dir)).toEqual([file]);
    expect(readFileSync(join(dir, file), 'utf8')).toContain('// cached');
  });

  it('a changed schema gets a new cache entry and the old one is removed', () => {
    const dir = cacheDir();
    precompiledValidators(spec(dir));
    const [before] = readdirSync(dir);
    const stricter = { ...schema, properties: { ...schema.properties, name: { type: 'string', maxLength: 3 } } };
    const { thing } = precompiledValidators(spec(dir, stricter));
    const [after, ...rest] = readdirSync(dir);
    expect(rest).toEqual([]);
    expect(after).not.toBe(before);
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
