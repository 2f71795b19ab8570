/**
 * How upstream Helm charts take an image in their values. Each chart spells it its own way, and
 * the bundle sets every image it lets a chart render explicitly (so review shows it and
 * `npm run pin-images` pins it by digest): this module writes a `repository:tag[@digest]`
 * reference in a chart's spelling and reads it back, by the chart's own template rule.
 */
import { chartImageOf, chartImageValue, parseImageRef, type ChartImageValue } from '../shared/image-ref';

/**
 * - `reference-tag`: `{reference, tag}`, kata-deploy 4.0.0 (`reference` alone when it holds a digest).
 * - `name-tag`: `{name, tag}` rendered `name:tag`, the peerpods chart 0.4.0 (templates/daemonset.yaml).
 * - `repository-tag`: `{repository, tag}` rendered `repository:tag`, the peerpods webhook and
 *   peerpod-ctrl sub-charts 0.4.0 (templates/deployment.yaml). Neither has a digest field: a pin
 *   goes into the tag as `tag@sha256:...`, which renders the valid reference `repo:tag@sha256:...`.
 * - `repository-tag-digest`: `{repository, tag, digest}`, cert-manager v1.21 (`cert-manager.image`
 *   in templates/_helpers.tpl: `repository:tag@digest` when both are set).
 * - `reference`: one string, the whole reference (peerpod-ctrl's `authProxy.image`).
 */
export type ChartImageShape = 'reference-tag' | 'name-tag' | 'repository-tag' | 'repository-tag-digest' | 'reference';

/** Where one image sits in an Application's `helm.valuesObject`, and how the chart spells it. */
export interface ChartImageSlotSpec {
  readonly path: readonly string[];
  readonly shape: ChartImageShape;
}

type Json = Record<string, unknown>;

function parsed(ref: string): { name: string; tag: string; digest?: string } {
  const p = parseImageRef(ref);
  if (p?.tag === undefined) throw new Error(`image ${JSON.stringify(ref)} of an upstream chart value needs a tag`);
  return { name: p.name, tag: p.tag, ...(p.digest !== undefined ? { digest: p.digest } : {}) };
}

/** The chart value of `ref` in `shape` (an object for every shape but `reference`). */
export function chartImage(shape: ChartImageShape, ref: string): string | Json {
  if (shape === 'reference') {
    parsed(ref);
    return ref;
  }
  if (shape === 'reference-tag') return { ...chartImageValue(ref) };
  const p = parsed(ref);
  const tagWithDigest = p.digest !== undefined ? `${p.tag}@${p.digest}` : p.tag;
  if (shape === 'name-tag') return { name: p.name, tag: tagWithDigest };
  if (shape === 'repository-tag') return { repository: p.name, tag: tagWithDigest };
  return { repository: p.name, tag: p.tag, ...(p.digest !== undefined ? { digest: p.digest } : {}) };
}

/**
 * The chart value of `ref` in an object shape, with `pullPolicy: IfNotPresent`: a pinned tag or
 * digest never changes, so the node's copy is used (the charts' own default is Always for some).
 */
export function chartImageIfNotPresent(shape: Exclude<ChartImageShape, 'reference'>, ref: string): Json {
  return { ...(chartImage(shape, ref) as Json), pullPolicy: 'IfNotPresent' };
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The image a chart value renders to, or undefined when the value is not of that shape. */
export function chartImageOfValue(shape: ChartImageShape, value: unknown): string | undefined {
  if (shape === 'reference') return str(value) ? value : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Json;
  switch (shape) {
    case 'reference-tag':
      return typeof v.reference === 'string' && typeof v.tag === 'string' ? chartImageOf(v as unknown as ChartImageValue) : undefined;
    case 'name-tag':
      return str(v.name) && str(v.tag) ? `${v.name}:${v.tag}` : undefined;
    case 'repository-tag':
      return str(v.repository) && str(v.tag) ? `${v.repository}:${v.tag}` : undefined;
    case 'repository-tag-digest':
      return str(v.repository) && str(v.tag) ? `${v.repository}:${v.tag}${str(v.digest) ? `@${v.digest}` : ''}` : undefined;
  }
}
