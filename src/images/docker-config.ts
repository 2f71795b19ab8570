/**
 * Registry credentials from a Docker client config (`~/.docker/config.json`, what `docker login`,
 * `podman login --authfile` and `skopeo login --authfile` write): the `auths` entries, each
 * `{ "auth": base64("user:password") }` or `{ "username", "password" }`. Credential helpers
 * (`credsStore`, `credHelpers`) keep secrets outside the file and are not read: export the
 * credentials into a file of your own for the run instead.
 * @see https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 */
import { readFileSync } from 'node:fs';
import { UserInputError, describeValue, type InputProblem } from '../config/errors';
import { DOCKER_HUB } from '../shared/image-ref';
import type { CredentialsLookup, RegistryCredentials } from './registry-client';

/** The names Docker Hub goes by in `auths` keys. */
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', DOCKER_HUB]);

/** `https://index.docker.io/v1/` → `docker.io`, `ghcr.io/` → `ghcr.io`: the registry host of an `auths` key. */
export function registryOfAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').split('/')[0];
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** Parses the text of a Docker config; `file` names it in problems. */
export function parseDockerConfig(text: string, file: string): CredentialsLookup {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserInputError([{ file, path: '', expected: 'a Docker config.json (JSON)', found: e instanceof Error ? e.message : String(e) }]);
  }
  const auths = typeof data === 'object' && data !== null ? (data as { auths?: unknown }).auths : undefined;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
    throw new UserInputError([{ file, path: '/auths', expected: 'a mapping of registries to credentials ({"auths": {"ghcr.io": {"auth": "<base64 user:password>"}}})', found: describeValue(auths) }]);
  }
  const problems: InputProblem[] = [];
  const byRegistry = new Map<string, RegistryCredentials>();
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const path = `/auths/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { auth?: unknown; username?: unknown; password?: unknown };
    let credentials: RegistryCredentials | undefined;
    if (typeof e.auth === 'string' && e.auth !== '') {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // Only the shape is reported: the value is a secret.
      if (colon > 0) credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      else problems.push({ file, path: `${path}/auth`, expected: 'base64 of "user:password"', found: 'base64 without a colon after decoding' });
    } else if (typeof e.username === 'string' && typeof e.password === 'string') {
      credentials = { username: e.username, password: e.password };
    } else if (Object.keys(e).length > 0 && !('identitytoken' in e)) {
      problems.push({ file, path, expected: 'an "auth" (base64 of user:password) or "username" and "password"', found: `keys ${Object.keys(e).join(', ')}` });
    }
    if (credentials) byRegistry.set(registryOfAuthKey(key), credentials);
  }
  if (problems.length > 0) throw new UserInputError(problems);
  return (registry) => byRegistry.get(registry);
}

/** The credentials of the Docker config at `path` (a missing or unreadable file is the caller's file-system error). */
export function readDockerConfig(path: string): CredentialsLookup {
  return parseDockerConfig(readFileSync(path, 'utf8'), path);
}
