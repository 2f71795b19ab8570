/**
 * `config/schema.json`, the schema editors check environment files against (see the
 * `# yaml-language-server` line in each file). It is generated from schema.ts and differs from the
 * loader's schema only where an editor would otherwise disagree with the loader:
 *
 * - a key with a default is optional: the loader fills it in (its typed result always has it), so
 *   an editor must not call the file wrong for leaving it out;
 * - the loader's `expected` annotation (the human description of a pattern) becomes
 *   `patternErrorMessage`, which yaml-language-server and VS Code show instead of the raw pattern.
 */
import type { TSchema } from '@sinclair/typebox';
import { EnvironmentSchema, EXPECTED_KEYWORD } from './schema';
import { FleetSchema } from './fleet-schema';

/** Editors validate environment files against this. */
export const SCHEMA_FILE = 'config/schema.json';

/** Editors validate config/fleet.yaml against this (made the same way, from fleet-schema.ts). */
export const FLEET_SCHEMA_FILE = 'config/fleet.schema.json';

/** Annotation editors (yaml-language-server, VS Code) show when a pattern does not match. */
export const PATTERN_MESSAGE_KEYWORD = 'patternErrorMessage';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The editor schema as a JSON value (of the environment files unless `schema` says otherwise). */
export function editorSchema(schema: TSchema = EnvironmentSchema): Json {
  return forEditors(JSON.parse(JSON.stringify(schema)) as Json);
}

function forEditors(node: Json): Json {
  if (Array.isArray(node)) return node.map(forEditors);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === EXPECTED_KEYWORD && typeof value === 'string') out[PATTERN_MESSAGE_KEYWORD] = `Expected ${value}.`;
    else out[key] = forEditors(value);
  }
  const properties = out.properties;
  if (Array.isArray(out.required) && properties && typeof properties === 'object' && !Array.isArray(properties)) {
    const hasDefault = (name: Json) => {
      const property = typeof name === 'string' ? properties[name] : undefined;
      return property !== null && typeof property === 'object' && !Array.isArray(property) && 'default' in property;
    };
    const required = out.required.filter((name) => !hasDefault(name));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** The JSON Schema as committed: generated, never edited by hand. */
export function schemaJson(schema: TSchema = EnvironmentSchema): string {
  return `${JSON.stringify(editorSchema(schema), null, 2)}\n`;
}

/** {@link FLEET_SCHEMA_FILE} as committed. */
export function fleetSchemaJson(): string {
  return schemaJson(FleetSchema);
}
