/**
 * `infrastructure.tags` as Azure accepts them on every resource: names of at most 512 characters
 * without `<>%&\?/`, values of at most 256 (the schema), at most 50 tags per resource, names
 * compared without case, and none of the names the generator sets itself.
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
 */
import type { EnvironmentConfig } from '../schema';
import { escapePointer } from '../yaml-source';
import type { Report } from './report';

export const MAX_TAG_NAME_LENGTH = 512;
export const MAX_TAGS_PER_RESOURCE = 50;
const FORBIDDEN_TAG_NAME_CHARACTERS = /[<>%&\\?/]/;

/** Tags every Azure resource gets from the generator (src/infra/stacks/environment-stack.ts); a user tag of the same name would be overwritten. */
export const GENERATED_TAG_NAMES: readonly string[] = ['environment', 'managed-by'];

export function checkTags(env: EnvironmentConfig, report: Report): void {
  const tags = env.infrastructure.tags;
  const seen = new Map<string, string>();
  for (const name of Object.keys(tags)) {
    const path = `/infrastructure/tags/${escapePointer(name)}`;
    const lower = name.toLowerCase();
    if (name.length === 0 || name.length > MAX_TAG_NAME_LENGTH) report(path, `a tag name of 1 to ${MAX_TAG_NAME_LENGTH} characters`, name);
    else if (FORBIDDEN_TAG_NAME_CHARACTERS.test(name)) report(path, 'a tag name without any of < > % & \\ ? / (Azure refuses them)', name);
    else if (GENERATED_TAG_NAMES.includes(lower)) report(path, `a tag name other than ${GENERATED_TAG_NAMES.join(' and ')} (set on every resource by the generator)`, name);
    else if (seen.has(lower)) report(path, `a tag name other than ${JSON.stringify(seen.get(lower))} (Azure compares tag names without case)`, name);
    seen.set(lower, name);
  }
  const max = MAX_TAGS_PER_RESOURCE - GENERATED_TAG_NAMES.length;
  if (Object.keys(tags).length > max) report('/infrastructure/tags', `at most ${max} tags (Azure allows ${MAX_TAGS_PER_RESOURCE} per resource, ${GENERATED_TAG_NAMES.length} are set by the generator)`, Object.keys(tags).length);
}
