/**
 * Ajv validators compiled once per schema, not once per process. Compiling is most of a render's
 * validation cost (the Kubernetes bundle ~0.2 s, the environment schema ~0.07 s, every run), while
 * loading Ajv's standalone code for the same schemas takes a few milliseconds. So the first process
 * generates that code into `build/ajv-cache/<name>-<hash>.js` and later ones load it, with V8's code
 * cache beside it (`.js.v8`): parsing the 2.5 MB of generated Kubernetes validators anew took
 * ~50 ms a run, deserialising them ~15 ms.
 *
 * The hash covers everything the generated code depends on: Ajv's version, the options, the schemas,
 * the keywords and the exported references. A changed schema or an Ajv upgrade therefore names a new
 * file and can never load stale code. The cache is a build artifact (git-ignored `build/`), never
 * committed; deleting it only costs one slower run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';
import type Ajv from 'ajv';
import type { AnySchema, KeywordDefinition, Options, ValidateFunction } from 'ajv';
import { repoRoot } from './repo-files';

/** Inputs of one cached set of validators. */
export interface PrecompiledValidatorsSpec<K extends string> {
  /** Prefix of the cache file name (lowercase letters, digits, `-`), e.g. `environment-schema`; one entry is kept per name. */
  readonly name: string;
  /** Ajv options; `code.source` is added (standalone code needs it). */
  readonly options: Options;
  /** Schemas added to Ajv before compiling, each with its `$id`. */
  readonly schemas: readonly AnySchema[];
  /**
   * Annotation-only keywords (no validation code: functions would not be part of the hash).
   * @default none
   */
  readonly keywords?: readonly Pick<KeywordDefinition, 'keyword' | 'schemaType'>[];
  /** Validator name to the schema it validates (`<$id>` or `<$id>#/definitions/<name>`). */
  readonly refs: Readonly<Record<K, string>>;
  /**
   * Folder of the cache files.
   * @default `build/ajv-cache` below the repository root
   */
  readonly cacheDir?: string;
}

/** The validators of `spec`, from the cache when it has them, else compiled and cached. */
export function precompiledValidators<K extends string>(spec: PrecompiledValidatorsSpec<K>): Record<K, ValidateFunction> {
  const dir = spec.cacheDir ?? join(repoRoot(), 'build', 'ajv-cache');
  const file = join(dir, `${spec.name}-${fingerprint(spec)}.js`);
  if (existsSync(file)) return loadModule(file) as Record<K, ValidateFunction>;
  // Ajv's compiler (65 modules) is loaded only here; cached code needs just its small runtime.
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: standaloneCode } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const ajv = new AjvClass({ ...spec.options, code: { ...spec.options.code, source: true } });
  for (const k of spec.keywords ?? []) ajv.addKeyword({ keyword: k.keyword, schemaType: k.schemaType });
  for (const s of spec.schemas) ajv.addSchema(s);
  const code = standaloneCode(ajv, { ...spec.refs });
  try {
    writeCache(dir, spec.name, file, code);
  } catch {
    // An unwritable checkout still validates, only without the speed-up.
    return compiledInMemory(ajv, spec.refs);
  }
  return loadModule(file) as Record<K, ValidateFunction>;
}

/**
 * Runs a generated CommonJS module as `require` would, with V8's code cache. V8 rejects cached data
 * made by another V8 version, other flags or a source of another length; the file name already
 * changes with any input of the code, so the cache can only be stale if the file was edited by hand.
 */
function loadModule(file: string): Record<string, unknown> {
  const code = readFileSync(file, 'utf8');
  const cacheFile = `${file}.v8`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: file, cachedData });
  const run = script.runInThisContext() as (exports: object, req: NodeJS.Require, module: { exports: object }, filename: string, dir: string) => void;
  const module = { exports: {} };
  run(module.exports, createRequire(file), module, file, dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) {
    // Made at exit, the cache also holds the validators this process compiled on first use; the
    // big ones (Pod specs, the environment schema) took ~30 ms a run to compile lazily.
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, script.createCachedData());
      } catch {
        // Without the code cache the validators only load slower.
      }
    });
  }
  return module.exports;
}

function fingerprint<K extends string>(spec: PrecompiledValidatorsSpec<K>): string {
  const { version } = require('ajv/package.json') as { version: string };
  const inputs = { ajv: version, options: spec.options, schemas: spec.schemas, keywords: spec.keywords ?? [], refs: spec.refs };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

/** Writes the generated code of a new entry and removes the other entries of the same name. */
function writeCache(dir: string, name: string, file: string, code: string): void {
  mkdirSync(dir, { recursive: true });
  // Entries of older schemas or Ajv versions are never loaded again.
  const entry = new RegExp(`^${name}-[0-9a-f]{16}\\.js(\\.v8)?$`);
  for (const old of readdirSync(dir)) {
    if (entry.test(old) && join(dir, old) !== file) rmSync(join(dir, old), { force: true });
  }
  writeAtomically(file, code);
}

/** Writes through a temporary name and renames, so a concurrent process never loads half a file. */
function writeAtomically(file: string, data: string | Buffer): void {
  const temp = `${file}.${process.pid}-${threadId}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

function compiledInMemory<K extends string>(ajv: Ajv, refs: Readonly<Record<K, string>>): Record<K, ValidateFunction> {
  const out = {} as Record<K, ValidateFunction>;
  for (const key of Object.keys(refs) as K[]) {
    const validate = ajv.getSchema(refs[key]);
    if (!validate) throw new Error(`schema ${refs[key]} missing`);
    out[key] = validate;
  }
  return out;
}
