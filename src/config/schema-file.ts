import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentSchema } from './schema';

/** Editors validate environment files against this (see the `$schema` comment in each file). */
export const SCHEMA_FILE = 'config/schema.json';

/** The JSON Schema as committed: generated from schema.ts, never edited by hand. */
export function schemaJson(): string {
  return `${JSON.stringify(EnvironmentSchema, null, 2)}\n`;
}

/** Writes config/schema.json through a temp file and rename, so it is never half-written. */
export function writeSchemaFile(root: string): void {
  const target = join(root, SCHEMA_FILE);
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSync(temp, schemaJson());
  renameSync(temp, target);
}
