/**
 * Loads `config/environments/<name>.yaml`: YAML syntax, JSON Schema (ajv strict, defaults
 * applied here and nowhere else), then the semantic rules. Every problem is reported with file,
 * line, JSON path, expected and found; nothing is thrown half-way through a file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { EnvironmentSchema, EXPECTED_KEYWORD, type EnvironmentConfig } from './schema';
import { describeValue, UserInputError, type InputProblem } from './errors';
import { checkSemantics } from './semantic';
import { precompiledValidators } from '../shared/precompiled-ajv';

export const ENVIRONMENTS_DIR = 'config/environments';

export interface LoadedEnvironment {
  /** The file name without `.yaml`; also the Terraform stack name and `dist/` folder. */
  readonly name: string;
  /** Path relative to the repository root, as printed in messages. */
  readonly file: string;
  readonly config: EnvironmentConfig;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Environment names, sorted, from the `.yaml` files in `config/environments/`. */
export function listEnvironments(root: string): string[] {
  const dir = join(root, ENVIRONMENTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Checks requested names against the files present; no names means all. */
export function resolveEnvironmentNames(root: string, requested: readonly string[]): string[] {
  const known = listEnvironments(root);
  const unknown = requested.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UserInputError(
      unknown.map((n) => ({ file: `${ENVIRONMENTS_DIR}/${n}.yaml`, path: '', expected: `an existing environment (${known.join(', ') || 'none found'})`, found: `no such file for environment ${JSON.stringify(n)}` })),
    );
  }
  return requested.length > 0 ? [...new Set(requested)] : known;
}

let validator: ValidateFunction | undefined;
function getValidator(): ValidateFunction {
  // Precompiled: compiling this schema took a fifth of `npm run synth`.
  validator ??= precompiledValidators({
    name: 'environment-schema',
    options: { strict: true, allErrors: true, useDefaults: true, coerceTypes: false, verbose: true },
    keywords: [{ keyword: EXPECTED_KEYWORD, schemaType: 'string' }],
    schemas: [EnvironmentSchema],
    refs: { environment: `${EnvironmentSchema.$id}` },
  }).environment;
  return validator;
}

/** Validates parsed YAML data; returns the config with defaults or the problems (paths only). */
export function validateEnvironmentData(data: unknown): { config?: EnvironmentConfig; problems: Omit<InputProblem, 'file'>[] } {
  const copy: unknown = structuredClone(data);
  const validate = getValidator();
  if (!validate(copy)) {
    return { problems: dedupe((validate.errors ?? []).map((e) => ajvProblem(e))) };
  }
  const config = copy as EnvironmentConfig;
  return { config, problems: checkSemantics(config) };
}

export function loadEnvironment(root: string, name: string): LoadedEnvironment {
  const file = `${ENVIRONMENTS_DIR}/${name}.yaml`;
  if (!ENV_NAME.test(name)) {
    throw new UserInputError([{ file, path: '', expected: 'a file name that is a DNS label of at most 32 characters (it names the stack, folders and Argo CD objects)', found: JSON.stringify(name) }]);
  }
  const text = readFileSync(join(root, file), 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, strict: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new UserInputError(
      doc.errors.map((e) => ({ file, path: '', expected: 'valid YAML', found: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw new UserInputError([{ file, path: '', expected: 'a mapping with at least "profile", "infrastructure" and "gitops"', found: 'an empty document', line: 1, column: 1 }]);
  }
  const { config, problems } = validateEnvironmentData(data);
  if (problems.length > 0 || !config) {
    throw new UserInputError(problems.map((p) => ({ ...p, file, ...locate(doc, lines, p.path) })));
  }
  return { name, file, config };
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', null: 'null' };

function ajvProblem(e: ErrorObject): Omit<InputProblem, 'file'> {
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const found = describeValue(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((schema.properties ?? {}) as object);
      return { path: `${e.instancePath}/${escapePointer(key)}`, expected: known.length > 0 ? `one of the keys ${known.join(', ')}` : 'no extra keys', found: `unknown key ${JSON.stringify(key)}` };
    }
    case 'required':
      return { path: `${e.instancePath}/${escapePointer(String(e.params.missingProperty))}`, expected: `required key ${JSON.stringify(e.params.missingProperty)}`, found: 'nothing' };
    case 'type':
      return { path: e.instancePath, expected: String(e.params.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or '), found };
    case 'enum':
      return { path: e.instancePath, expected: `one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, found };
    case 'pattern':
      return { path: e.instancePath, expected: typeof schema[EXPECTED_KEYWORD] === 'string' ? String(schema[EXPECTED_KEYWORD]) : `a string matching ${e.params.pattern}`, found };
    case 'minimum':
    case 'maximum':
      return { path: e.instancePath, expected: `a number ${e.params.comparison} ${e.params.limit}`, found };
    default:
      return { path: e.instancePath, expected: `a value that ${e.message ?? 'matches the schema'}`, found };
  }
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = JSON.stringify(i);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Line/column of the deepest node on `path` present in the file (defaults have no node). */
function locate(doc: Document, lines: LineCounter, path: string): { line?: number; column?: number } {
  const segments = path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = nodeAt(doc, segments.slice(0, depth));
    if (node?.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function nodeAt(doc: Document, segments: string[]): Node | undefined {
  const valueAt = (path: string[]): unknown => (path.length === 0 ? doc.contents : doc.getIn(path, true));
  if (segments.length === 0) {
    const root = valueAt([]);
    return isNode(root) ? root : undefined;
  }
  const parent = valueAt(segments.slice(0, -1));
  if (isMap(parent)) {
    // Point at the key itself, so an unknown key is reported where it is written.
    const last = segments[segments.length - 1];
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }
  const child = valueAt(segments);
  return isNode(child) ? child : undefined;
}
