/**
 * Resolves `repository:tag` to the digest its registry serves, through the OCI distribution API:
 * `HEAD /v2/<name>/manifests/<tag>` asking for an image index or manifest (OCI or Docker), the
 * `Docker-Content-Digest` answer header, else the sha256 of the manifest a `GET` returns. A
 * multi-platform image resolves to its index, so one digest serves every node architecture.
 * Authentication: the token flow a `WWW-Authenticate: Bearer realm=...,service=...,scope=...`
 * challenge asks for (anonymous, or with the user's credentials), or HTTP Basic.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
 * @see https://distribution.github.io/distribution/spec/auth/token/
 */
import { createHash } from 'node:crypto';
import { DIGEST_PATTERN, DOCKER_HUB, parseImageRef, type ImageRef } from '../shared/image-ref';

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Credentials for a registry host (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), if the user has some. */
export type CredentialsLookup = (registry: string) => RegistryCredentials | undefined;

export interface ResolveOptions {
  /** @default anonymous everywhere */
  readonly credentials?: CredentialsLookup;
  /** Time allowed for each HTTP request. @default 30000 */
  readonly timeoutMs?: number;
}

/** Why a reference could not be resolved; one line, for `expected ..., found ...`. */
export class RegistryError extends Error {
  constructor(
    readonly ref: string,
    /** What would have been fine, e.g. `a manifest for the tag at https://ghcr.io`. */
    readonly expected: string,
    /** What happened instead, e.g. `HTTP 404 Not Found`. */
    readonly found: string,
  ) {
    super(`${ref}: expected ${expected}, found ${found}`);
    this.name = 'RegistryError';
  }
}

/** Manifest media types asked for, indexes first: the digest of a multi-platform image is its index's. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The API base URL of a registry host: Docker Hub's API is registry-1.docker.io; loopback
 * registries speak plain HTTP (Docker's own default for 127.0.0.0/8), every other one HTTPS.
 */
export function registryEndpoint(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

/** The digest `ref` (which must have a tag) resolves to now. */
export async function resolveDigest(ref: string, options: ResolveOptions = {}): Promise<string> {
  const image = parseImageRef(ref);
  if (image?.tag === undefined) throw new RegistryError(ref, 'an image reference with a tag (repository:tag)', 'none');
  const session = new Session(ref, image, options);
  const url = `${registryEndpoint(image.registry)}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;
  const head = await session.send('HEAD', url);
  const header = head.headers.get('docker-content-digest');
  if (head.ok && header !== null && DIGEST_PATTERN.test(header)) return header;
  // No usable header, a registry refusing HEAD, or a failure whose reason only a body carries
  // (`{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`): GET, and hash the manifest bytes.
  const get = await session.send('GET', url);
  if (!get.ok) throw new RegistryError(ref, `a manifest for the tag at ${registryEndpoint(image.registry)}`, await statusText(get));
  const digest = `sha256:${createHash('sha256').update(Buffer.from(await get.arrayBuffer())).digest('hex')}`;
  const claimed = get.headers.get('docker-content-digest');
  if (claimed !== null && claimed !== digest) throw new RegistryError(ref, `a manifest whose sha256 is the Docker-Content-Digest the registry states (${claimed})`, digest);
  return digest;
}

/** Requests for one reference, carrying the authorization its registry granted. */
class Session {
  private authorization: string | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly ref: string,
    private readonly image: ImageRef,
    private readonly options: ResolveOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** One request; on a 401 challenge it authorizes once and repeats the request. Other failures are the caller's. */
  async send(method: 'HEAD' | 'GET', url: string): Promise<Response> {
    let response = await this.fetch(url, method, this.authorization);
    if (response.status === 401 && this.authorization === undefined) {
      this.authorization = await this.authorize(response.headers.get('www-authenticate'));
      response = await this.fetch(url, method, this.authorization);
      if (response.status === 401) throw new RegistryError(this.ref, `access granted by ${this.image.registry} to the ${this.credentials() ? 'credentials given' : 'anonymous token'}`, await statusText(response));
    }
    return response;
  }

  private credentials(): RegistryCredentials | undefined {
    return this.options.credentials?.(this.image.registry);
  }

  private async fetch(url: string, method: string, authorization?: string): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: { Accept: MANIFEST_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) },
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new RegistryError(this.ref, `an answer from ${new URL(url).origin}`, networkFailure(e, this.timeoutMs));
    }
  }

  /** The Authorization header a challenge asks for. */
  private async authorize(challenge: string | null): Promise<string> {
    const credentials = this.credentials();
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    const scheme = challenge?.trim().split(/\s+/)[0]?.toLowerCase();
    if (scheme === 'basic') {
      if (basic === undefined) throw new RegistryError(this.ref, `credentials for ${this.image.registry} (--registry-config <docker config.json>)`, 'a registry that refuses anonymous access');
      return basic;
    }
    if (scheme !== 'bearer' || challenge === null) throw new RegistryError(this.ref, 'a WWW-Authenticate challenge (Bearer or Basic) with the 401', JSON.stringify(challenge ?? 'none'));
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
    if (!params.realm) throw new RegistryError(this.ref, 'a Bearer challenge naming its token realm', JSON.stringify(challenge));
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.image.repository}:pull`);
    const answer = await this.fetch(tokenUrl.toString(), 'GET', basic);
    if (!answer.ok) throw new RegistryError(this.ref, `a pull token from ${tokenUrl.origin}${basic ? ' for the credentials given' : ''}`, await statusText(answer));
    const body = (await answer.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') throw new RegistryError(this.ref, `a token in the answer of ${tokenUrl.origin}`, 'none');
    return `Bearer ${token}`;
  }
}

/** `HTTP 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)`: the status and the registry's first error code, if any. */
async function statusText(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  let detail = '';
  try {
    const first = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first?.code) detail = ` (${first.code}${first.message ? `: ${first.message}` : ''})`;
  } catch {
    // Not the registry's JSON error body: the status says enough.
  }
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${detail}`;
}

/**
 * `connection refused`, `no answer within 30 s`, ... from what fetch threw. Read by shape, not
 * `instanceof`: errors from another realm (jest's) are not instances of this realm's Error.
 */
function networkFailure(e: unknown, timeoutMs: number): string {
  const error = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const known: Record<string, string> = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'an unknown host name', EAI_AGAIN: 'no DNS answer', ECONNRESET: 'the connection reset' };
  const code = typeof error.cause?.code === 'string' ? error.cause.code : undefined;
  if (code !== undefined && known[code]) return known[code];
  const message = error.cause?.message ?? error.message;
  return typeof message === 'string' ? message : String(e);
}
