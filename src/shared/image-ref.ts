/**
 * Container image references: parsing by the Docker/OCI reference grammar, and pinning a
 * `repository:tag` to the digest config/images.lock.yaml records for it. Every image the bundle
 * renders goes through {@link pinnedImage} (src/images/image-slots.ts applies it to every rendered
 * container and upstream chart image value), so nothing renders a tag the lock has a digest for.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */

/** Digests by image reference as rendered (`repository:tag` → `sha256:<64 hex>`). */
export type ImageLock = ReadonlyMap<string, string>;

/** A lock with no digests: images render by tag. */
export const EMPTY_IMAGE_LOCK: ImageLock = new Map();

/** The only digest algorithm the bundle accepts (what every registry serves). */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?$/;
const COMPONENT_PATTERN = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;

/** The registry of references without a domain (`busybox`, `library/busybox`). */
export const DOCKER_HUB = 'docker.io';

export interface ImageRef {
  /** The reference without tag and digest, as written (`docker.io/library/busybox`). */
  readonly name: string;
  /** Registry host (with port), `docker.io` when the reference names none. */
  readonly registry: string;
  /** Repository inside the registry (`library/busybox` for Docker Hub's official images). */
  readonly repository: string;
  /** @default none */
  readonly tag?: string;
  /** `sha256:...`. @default none */
  readonly digest?: string;
}

/**
 * Parses a reference; returns undefined for text that is no reference. The first path component
 * is a registry when it has a dot or a port or is `localhost` (so `host:5000/img` is a port, not a
 * tag); otherwise the image is on Docker Hub, where one-component names live under `library/`.
 */
export function parseImageRef(ref: string): ImageRef | undefined {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  if (digest !== undefined && !DIGEST_PATTERN.test(digest)) return undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG_PATTERN.test(tag)) return undefined;
  const name = tag !== undefined ? named.slice(0, colon) : named;
  const parts = name.split('/');
  const withRegistry = hasRegistry(parts);
  const registry = withRegistry ? parts[0] : DOCKER_HUB;
  const path = withRegistry ? parts.slice(1) : parts;
  if (!REGISTRY_PATTERN.test(registry) || path.length === 0 || !path.every((p) => COMPONENT_PATTERN.test(p))) return undefined;
  const repository = registry === DOCKER_HUB && path.length === 1 ? `library/${path[0]}` : path.join('/');
  return { name, registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function hasRegistry(parts: readonly string[]): boolean {
  return parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
}

/** True when the reference names a digest (`...@sha256:...`): it cannot change under the bundle. */
export function hasDigest(ref: string): boolean {
  return parseImageRef(ref)?.digest !== undefined;
}

/**
 * `repository:tag@sha256:...` when the lock has a digest for `ref`, else `ref` unchanged (also
 * when `ref` already names a digest). The tag stays beside the digest for readers; the runtime
 * pulls by the digest.
 */
export function pinnedImage(ref: string, lock: ImageLock): string {
  if (hasDigest(ref)) return ref;
  const digest = lock.get(ref);
  return digest === undefined ? ref : `${ref}@${digest}`;
}

/**
 * An image as the `{reference, tag}` pair of kata-deploy's chart values, whose helpers render
 * `reference` alone when it holds a digest (`@`) and `reference:tag` otherwise
 * (templates/_helpers.tpl, `kata-deploy.image` and `kata-deploy.kubectlImage`, at Kata 4.0.0).
 */
export interface ChartImageValue {
  readonly reference: string;
  readonly tag: string;
}

/** The chart value for `ref`, which must carry a tag (an empty tag means the chart's own default). */
export function chartImageValue(ref: string): ChartImageValue {
  const parsed = parseImageRef(ref);
  if (parsed?.tag === undefined) throw new Error(`image ${JSON.stringify(ref)} of an upstream chart value needs a tag`);
  return parsed.digest !== undefined ? { reference: ref, tag: parsed.tag } : { reference: parsed.name, tag: parsed.tag };
}

/** The image a `{reference, tag}` chart value renders to, by the helpers' rule above. */
export function chartImageOf(value: ChartImageValue): string {
  return value.reference.includes('@') || value.tag === '' ? value.reference : `${value.reference}:${value.tag}`;
}
