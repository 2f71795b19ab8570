/**
 * The ajv validator of a config file schema (environment files, the fleet file): one set of
 * options for every config the product reads (strict, all errors, defaults applied by the loader,
 * no coercion), precompiled because compiling the environment schema took a fifth of
 * `npm run synth`, and made once per process.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { EXPECTED_KEYWORD } from './schema-helpers';
import { precompiledValidators } from '../shared/precompiled-ajv';

const made = new Map<string, ValidateFunction>();

/** The validator of `schema` (which must carry an `$id`); `name` keys its precompiled cache file. */
export function configValidator(name: string, schema: TSchema & { readonly $id?: string }): ValidateFunction {
  const known = made.get(name);
  if (known !== undefined) return known;
  const validate = precompiledValidators({
    name,
    options: { strict: true, allErrors: true, useDefaults: true, coerceTypes: false, verbose: true },
    keywords: [{ keyword: EXPECTED_KEYWORD, schemaType: 'string' }],
    schemas: [schema],
    refs: { config: `${schema.$id}` },
  }).config;
  made.set(name, validate);
  return validate;
}
