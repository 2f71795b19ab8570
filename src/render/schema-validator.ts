/**
 * Offline validation of rendered objects against the OpenAPI schema of the pinned Kubernetes release and the
 * Argo CD and Prometheus Operator ServiceMonitor CRD schemas, compacted into one committed file by
 * scripts/update-schemas.sh.
 * Objects with `properties` are closed, so a typo such as `replica` is an error (kubeconform -strict).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type K8sObject, type Problem, objectId } from '../shared/k8s-object';
import { repoFile } from '../shared/repo-files';
import { precompiledValidators } from '../shared/precompiled-ajv';
import { VERSIONS } from '../shared/versions';

/**
 * Upstream releases the schema bundle is extracted from (scripts/update-schemas.sh reads them).
 * Kubernetes follows the pinned release, so a bump of VERSIONS.kubernetes asks for a new bundle;
 * Argo CD and prometheus-operator were the newest final releases the Go module proxy served on
 * 2026-12-01 (prometheus-operator v0.95.x is tagged but not served for the module with the CRDs).
 */
export const SCHEMA_SOURCES = {
  'k8s.io/kubernetes': `v${VERSIONS.kubernetes}`,
  'github.com/argoproj/argo-cd/v3': 'v3.6.1',
  'github.com/prometheus-operator/prometheus-operator': 'v0.94.1',
} as const;

/** The bundle of SCHEMA_SOURCES, as scripts/update-schemas.sh names it. */
export const SCHEMA_FILE =
  `schemas/kubernetes-${SCHEMA_SOURCES['k8s.io/kubernetes']}` +
  `+argo-cd-${SCHEMA_SOURCES['github.com/argoproj/argo-cd/v3']}` +
  `+prometheus-operator-${SCHEMA_SOURCES['github.com/prometheus-operator/prometheus-operator']}.json`;

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Shape of SCHEMA_FILE, written by scripts/compact-schemas.ts. */
export type SchemaBundle = {
  /** Upstream module versions the schemas were generated from, e.g. `{"k8s.io/kubernetes": "v1.36.5"}`. */
  readonly source: Record<string, string>;
  /** `apiVersion/kind` (`apps/v1/Deployment`, `v1/Namespace`) to definition name. */
  readonly kinds: Record<string, string>;
  /** JSON-Schema draft-07 fragments; `$ref`s point at `#/definitions/<name>`. */
  readonly definitions: Record<string, { [key: string]: Json }>;
};

const RULE = 'schema';
/** `$id` under which the bundle's definitions are registered with Ajv. */
const BUNDLE_ID = 'k8s';

interface Loaded {
  readonly bundle: SchemaBundle;
  /** Keyed by definition name. */
  readonly validators: Readonly<Record<string, ValidateFunction>>;
}

let loaded: Loaded | undefined;

/**
 * Reads the bundle and its validators, one per kind, precompiled: compiling them took a quarter of
 * `npm run synth`, every run.
 */
function load(): Loaded {
  if (loaded) return loaded;
  const bundle = JSON.parse(repoFile(SCHEMA_FILE)) as SchemaBundle;
  const refs = Object.fromEntries([...new Set(Object.values(bundle.kinds))].map((d) => [d, `${BUNDLE_ID}#/definitions/${d}`]));
  const validators = precompiledValidators({
    name: 'kubernetes-schemas',
    // strict: false because upstream schemas use keyword combinations Ajv's strict mode rejects
    // (e.g. `required` without `type`). The bundle is generated, so no meta-schema check; one
    // function per definition instead of inlining refs keeps the generated code small.
    options: { strict: false, allErrors: true, verbose: true, validateSchema: false, inlineRefs: false },
    schemas: [{ $id: BUNDLE_ID, definitions: bundle.definitions }],
    refs,
  });
  loaded = { bundle, validators };
  return loaded;
}

/** Validates every object against the schema for its apiVersion and kind. */
export function validateSchemas(objects: readonly K8sObject[]): Problem[] {
  const state = load();
  const problems: Problem[] = [];
  for (const o of objects) {
    const object = objectId(o);
    const key = `${o.apiVersion}/${o.kind}`;
    const definition = Object.hasOwn(state.bundle.kinds, key) ? state.bundle.kinds[key] : undefined;
    if (!definition) {
      problems.push({ object, rule: RULE, path: '/kind', message: unknownKindMessage(state.bundle, o) });
      continue;
    }
    const validate = state.validators[definition];
    if (validate(o)) continue;
    const seen = new Set<string>();
    for (const { path, message } of describeErrors(validate.errors ?? [])) {
      // allErrors can report the same finding via several schema branches.
      if (seen.has(`${path}\n${message}`)) continue;
      seen.add(`${path}\n${message}`);
      problems.push({ object, rule: RULE, path, message });
    }
  }
  return problems;
}

function unknownKindMessage(bundle: SchemaBundle, o: K8sObject): string {
  const suffix = `/${o.kind}`;
  const versions = Object.keys(bundle.kinds)
    .filter((k) => k.endsWith(suffix))
    .map((k) => k.slice(0, -suffix.length));
  const hint = versions.length > 0 ? `; known apiVersions for ${o.kind}: ${versions.join(', ')}` : '';
  const sources = Object.entries(bundle.source).map(([name, version]) => `${name} ${version}`).join(', ');
  return `no schema for apiVersion ${JSON.stringify(o.apiVersion)} kind ${JSON.stringify(o.kind)} (${sources})${hint}`;
}

/**
 * Ajv errors as readable `{path, message}` pairs. An `anyOf` (int-or-string, Quantity) fails with one
 * type error per branch plus the anyOf itself; those collapse into `must be string or integer, found …`.
 */
function describeErrors(errors: readonly ErrorObject[]): { path: string; message: string }[] {
  const branches = new Set<ErrorObject>();
  const out: { path: string; message: string }[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const children = errors.filter(
      (c) => c !== e && c.instancePath.startsWith(e.instancePath) && c.schemaPath.startsWith(`${e.schemaPath}/`),
    );
    for (const c of children) branches.add(c);
    const types = children.filter((c) => c.keyword === 'type').map((c) => `${c.params.type}`);
    const message =
      types.length === children.length && types.length > 0
        ? `must be ${types.join(' or ')}, found ${show(e.data)}`
        : `must match one of the allowed shapes, found ${show(e.data)}`;
    out.push({ path: e.instancePath, message });
  }
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && !branches.has(e)) out.push({ path: e.instancePath, message: describe(e) });
  }
  return out;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(e.params.additionalProperty)}`;
    case 'required':
      return `missing required field ${JSON.stringify(e.params.missingProperty)}`;
    case 'type':
      return `must be ${[e.params.type].flat().join(' or ')}, found ${show(e.data)}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${show(e.data)}`;
    default:
      return `${e.message ?? e.keyword}, found ${show(e.data)}`;
  }
}

/** A short rendering of the offending value: scalars as JSON, containers by their type. */
function show(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object') return 'object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
