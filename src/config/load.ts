/**
 * Loads `config/environments/<name>.yaml`: the file (environment-files.ts), YAML syntax and plain
 * JSON data (yaml-source.ts), JSON Schema (ajv strict, defaults applied here and nowhere else),
 * then the semantic rules. Every problem is reported with file, line, JSON path, expected and
 * found; nothing is thrown half-way through a file.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { EnvironmentSchema, EXPECTED_KEYWORD, type EnvironmentConfig } from './schema';
import { describeValue, NO_FIELD, UserInputError, type InputProblem } from './errors';
import { checkSemantics } from './semantic';
import { environmentFile, listEnvironments, readEnvironmentFile } from './environment-files';
import { escapePointer, locate, parseYaml, yamlData, type YamlSource } from './yaml-source';
import { configValidator } from './config-validator';

export { ENVIRONMENTS_DIR, listEnvironments } from './environment-files';

export interface LoadedEnvironment {
  /** The file name without `.yaml`; also the Terraform stack name and `dist/` folder. */
  readonly name: string;
  /** Path relative to the repository root, as printed in messages. */
  readonly file: string;
  readonly config: EnvironmentConfig;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Checks requested names against the files present; no names means all. */
export function resolveEnvironmentNames(root: string, requested: readonly string[]): string[] {
  const known = listEnvironments(root);
  const unknown = requested.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UserInputError(
      unknown.map((n) => ({ file: environmentFile(n), path: NO_FIELD, expected: `an existing environment (${known.join(', ')})`, found: `no such file for environment ${JSON.stringify(n)}` })),
    );
  }
  return requested.length > 0 ? [...new Set(requested)] : known;
}

function getValidator(): ValidateFunction {
  return configValidator('environment-schema', EnvironmentSchema);
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
  const file = environmentFile(name);
  if (!ENV_NAME.test(name)) {
    throw new UserInputError([{ file, path: NO_FIELD, expected: 'a file name that is a DNS label of at most 32 characters (it names the stack, folders and Argo CD objects)', found: JSON.stringify(name) }]);
  }
  const source = readEnvironmentSource(root, file);
  const data = yamlData(source);
  if (data === null || data === undefined) {
    throw new UserInputError([{ file, path: '', expected: 'a mapping with at least "profile", "infrastructure" and "gitops"', found: 'an empty document', line: 1, column: 1 }]);
  }
  const { config, problems } = validateEnvironmentData(data);
  if (problems.length > 0 || !config) {
    throw new UserInputError(problems.map((p) => ({ ...p, file, ...locate(source, p.path) })));
  }
  return { name, file, config };
}

/** The parsed YAML of an environment file (for locating problems found across environments). */
export function readEnvironmentSource(root: string, file: string): YamlSource {
  return parseYaml(file, readEnvironmentFile(root, file));
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', null: 'null' };

/** One Ajv error as a problem without its file (also used for config/fleet.yaml). */
export function ajvProblem(e: ErrorObject): Omit<InputProblem, 'file'> {
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
    case 'minItems':
      return { path: e.instancePath, expected: `a list of at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, found };
    case 'minLength':
    case 'maxLength':
      return { path: e.instancePath, expected: `a string of ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${e.params.limit} characters`, found: typeof e.data === 'string' ? `a string of ${e.data.length} characters` : found };
    default:
      return { path: e.instancePath, expected: `a value that ${e.message ?? 'matches the schema'}`, found };
  }
}

/** Ajv with allErrors can report one finding through several schema branches. */
export function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = JSON.stringify(i);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
