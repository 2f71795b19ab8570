/**
 * Turns the Kubernetes swagger `definitions` and the CRD schemas (Argo CD Application/ApplicationSet/AppProject,
 * Prometheus Operator ServiceMonitor) into one small, deterministic JSON file of Ajv-ready JSON-Schema
 * fragments, read by src/render/schema-validator.ts.
 * Run through scripts/update-schemas.sh, which fetches the pinned upstream sources.
 *
 *   node build/scripts/compact-schemas.js --swagger swagger.json --crd application-crd.yaml \
 *     --crd applicationset-crd.yaml --crd appproject-crd.yaml --crd monitoring.coreos.com_servicemonitors.yaml \
 *     --source k8s.io/kubernetes=v1.36.5 --source github.com/argoproj/argo-cd/v3=v3.6.1 ... --out schemas/x.json
 *   node build/scripts/compact-schemas.js --print-sources
 *     prints the Kubernetes, Argo CD and prometheus-operator versions of SCHEMA_SOURCES on one line
 *     (the defaults of scripts/update-schemas.sh)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SCHEMA_SOURCES, type Json, type SchemaBundle } from '../src/render/schema-validator';

type Schema = { [key: string]: Json };

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Fresh each time: later passes edit schemas in place, so none may be shared. */
const intOrString = (): Schema => ({ anyOf: [{ type: 'string' }, { type: 'integer' }] });

/** Upstream types whose swagger shape is wrong for the JSON the API server really accepts. */
const OVERRIDES: Record<string, Schema> = {
  // Swagger says `type: string, format: int-or-string`; both JSON types are valid.
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': intOrString(),
  // Swagger says string, but `cpu: 1` / `memory: 1e9` are accepted (and common in YAML).
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { anyOf: [{ type: 'string' }, { type: 'number' }] },
};

/** Keywords copied unchanged; none of them contains a sub-schema. */
const KEPT = new Set([
  '$ref', 'type', 'required', 'enum',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
]);

/**
 * Keywords deliberately left out: documentation, server-side merge/list semantics, defaults, CEL rules
 * and `format` (int32/int64/byte/date-time are not checked by Ajv without ajv-formats and would only warn).
 */
const DROPPED = new Set([
  'description', 'format', 'default', 'example', 'title', 'externalDocs',
  'x-kubernetes-embedded-resource', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type',
  'x-kubernetes-map-type', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy',
  'x-kubernetes-unions', 'x-kubernetes-validations', 'x-kubernetes-group-version-kind',
]);

function isSchema(v: Json | undefined): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asSchema(v: Json | undefined, where: string): Schema {
  if (!isSchema(v)) throw new Error(`${where}: expected a schema object`);
  return v;
}

/**
 * Converts one upstream (swagger 2 or CRD OpenAPI v3) schema into a JSON-Schema draft-07 fragment.
 * Every object with `properties` becomes closed (`additionalProperties: false`, like kubeconform -strict)
 * unless it already describes a map or asks to keep unknown fields. Unknown keywords throw, so an
 * upstream change cannot silently weaken validation.
 */
function convert(s: Schema, where: string): Schema {
  // CRDs spell int-or-string as this marker next to an anyOf; use the same schema as IntOrString.
  if (s['x-kubernetes-int-or-string'] === true) return intOrString();
  const out: Schema = {};
  const openObject = s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, value] of Object.entries(s)) {
    if (KEPT.has(key)) out[key] = value;
    else if (DROPPED.has(key) || key === 'x-kubernetes-preserve-unknown-fields' || key === 'nullable') continue;
    else if (key === 'properties') {
      const props: Schema = {};
      for (const [name, sub] of Object.entries(asSchema(value, where))) props[name] = convert(asSchema(sub, where), `${where}.${name}`);
      out[key] = props;
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = typeof value === 'boolean' ? value : convert(asSchema(value, where), `${where}.${key}`);
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      if (!Array.isArray(value)) throw new Error(`${where}: ${key} must be an array`);
      out[key] = value.map((sub, i) => convert(asSchema(sub, where), `${where}.${key}[${i}]`));
    } else if (key === 'pattern') {
      // CRD patterns are Go RE2; keep only those JavaScript reads the same way (Ajv uses the `u` flag).
      if (typeof value === 'string' && compilesAsUnicodeRegExp(value)) out[key] = value;
    } else throw new Error(`${where}: unknown schema keyword "${key}"; teach scripts/compact-schemas.ts about it`);
  }
  // OpenAPI v3 `nullable` has no draft-07 keyword; JSON Schema says it with a type list.
  if (s.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (isSchema(out.properties) && !('additionalProperties' in out) && !openObject) out.additionalProperties = false;
  return out;
}

function compilesAsUnicodeRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Collects every `#/definitions/<name>` reference below a schema. */
function refsOf(v: Json, found: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) refsOf(x, found);
  else if (isSchema(v)) {
    for (const [key, x] of Object.entries(v)) {
      if (key === '$ref' && typeof x === 'string') found.add(x.replace(/^#\/definitions\//, ''));
      else refsOf(x, found);
    }
  }
}

/** Keeps only definitions reachable from a kind, so unused helper types cost no bytes. */
function reachable(definitions: Record<string, Schema>, roots: Iterable<string>): Record<string, Schema> {
  const seen = new Set<string>();
  const todo = [...roots];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (seen.has(name)) continue;
    const def = definitions[name];
    if (!def) throw new Error(`dangling reference to definition ${name}`);
    seen.add(name);
    const refs = new Set<string>();
    refsOf(def, refs);
    todo.push(...refs);
  }
  return Object.fromEntries([...seen].sort().map((name) => [name, definitions[name]]));
}

/** A direct sub-schema of a schema, with a dotted path for naming and a way to replace it. */
interface Child {
  readonly schema: Schema;
  readonly path: string;
  readonly replace: (s: Schema) => void;
}

function childrenOf(s: Schema, path: string): Child[] {
  const children: Child[] = [];
  const add = (v: Json | undefined, name: string, replace: (x: Schema) => void): void => {
    if (isSchema(v)) children.push({ schema: v, path: `${path}.${name}`, replace });
  };
  const props = s.properties;
  if (isSchema(props)) for (const [name, v] of Object.entries(props)) add(v, name, (x) => (props[name] = x));
  for (const key of ['items', 'additionalProperties', 'not']) add(s[key], key, (x) => (s[key] = x));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((v, i) => add(v, `${key}${i}`, (x) => (list[i] = x)));
  }
  return children;
}

/** `a` unless `b` is shorter (then alphabetical), so hoisted names are stable. */
function shorter(a: string, b: string): string {
  return b.length < a.length || (b.length === a.length && b < a) ? b : a;
}

/**
 * CRD schemas are fully inlined: Argo CD's ApplicationSource alone appears a dozen times (spec, status,
 * history, operation...). Hoisting each repeated object subtree into its own definition shrinks the file
 * and, more importantly, lets Ajv compile it once instead of generating megabytes of code.
 * Hoists the largest duplicate first, so parts of an already hoisted subtree are not hoisted needlessly.
 */
function hoistDuplicates(definitions: Record<string, Schema>, roots: readonly string[]): void {
  const names = [...roots];
  for (;;) {
    // Canonical text of every object subtree -> how often it occurs and its shortest path.
    const seen = new Map<string, { count: number; path: string }>();
    const count = (c: Child): void => {
      if (isSchema(c.schema.properties)) {
        const key = JSON.stringify(sortKeys(c.schema));
        const entry = seen.get(key);
        seen.set(key, entry ? { count: entry.count + 1, path: shorter(entry.path, c.path) } : { count: 1, path: c.path });
      }
      childrenOf(c.schema, c.path).forEach(count);
    };
    for (const name of names) childrenOf(definitions[name], name).forEach(count);

    const repeated = [...seen].filter(([, e]) => e.count > 1);
    if (repeated.length === 0) return;
    const [key, { path }] = repeated.reduce((a, b) => (b[0].length > a[0].length || (b[0].length === a[0].length && b[0] < a[0]) ? b : a));

    const ref: Schema = { $ref: `#/definitions/${path}` };
    const swap = (c: Child): void => {
      if (JSON.stringify(sortKeys(c.schema)) === key) c.replace(ref);
      else childrenOf(c.schema, c.path).forEach(swap);
    };
    for (const name of names) childrenOf(definitions[name], name).forEach(swap);
    definitions[path] = JSON.parse(key) as Schema;
    names.push(path);
  }
}

/** Kubernetes swagger: one definition per Go type; kinds come from `x-kubernetes-group-version-kind`. */
function addSwagger(file: string, definitions: Record<string, Schema>, kinds: Record<string, string>): void {
  const swagger = asSchema(JSON.parse(readFileSync(file, 'utf8')) as Json, file);
  for (const [name, raw] of Object.entries(asSchema(swagger.definitions, file))) {
    const def = asSchema(raw, name);
    definitions[name] = OVERRIDES[name] ?? convert(def, name);
    // DeleteOptions and WatchEvent claim a GVK in every group ever served (even extensions/v1beta1);
    // they are request/response envelopes, never manifests.
    if (name.endsWith('.DeleteOptions') || name.endsWith('.WatchEvent')) continue;
    const gvks = def['x-kubernetes-group-version-kind'];
    for (const gvk of Array.isArray(gvks) ? gvks : []) {
      const { group, version, kind } = asSchema(gvk, name);
      kinds[kindKey(`${group ?? ''}`, `${version}`, `${kind}`)] = name;
    }
  }
}

/** A CRD's schema per served version, closed like the swagger types and with real ObjectMeta. */
function addCrd(file: string, definitions: Record<string, Schema>, kinds: Record<string, string>): string[] {
  const crd = asSchema(parseYaml(readFileSync(file, 'utf8')) as Json, file);
  const spec = asSchema(crd.spec, file);
  const group = `${spec.group}`;
  const kind = `${asSchema(spec.names, file).kind}`;
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const names: string[] = [];
  for (const v of versions) {
    const version = asSchema(v, file);
    if (version.served !== true) continue;
    // `io.argoproj.v1alpha1.Application`, mirroring the swagger naming of built-in types.
    const name = `${group.split('.').reverse().join('.')}.${version.name}.${kind}`;
    const root = convert(asSchema(asSchema(asSchema(version.schema, name).openAPIV3Schema, name), name), name);
    const properties = asSchema(root.properties, name);
    properties.apiVersion = { type: 'string' };
    properties.kind = { type: 'string' };
    // CRDs say only `metadata: {type: object}`; the API server validates it as ObjectMeta.
    properties.metadata = { $ref: `#/definitions/${OBJECT_META}` };
    definitions[name] = root;
    kinds[kindKey(group, `${version.name}`, kind)] = name;
    names.push(name);
  }
  return names;
}

/** `apps/v1/Deployment`, `v1/Namespace`: the object's own `apiVersion` plus `/kind`. */
function kindKey(group: string, version: string, kind: string): string {
  return group ? `${group}/${version}/${kind}` : `${version}/${kind}`;
}

/** Stable output: object keys sorted at every level (array order is meaningful and kept). */
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isSchema(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k] as Json)]));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      'print-sources': { type: 'boolean', default: false },
      swagger: { type: 'string' },
      crd: { type: 'string', multiple: true, default: [] },
      source: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
    },
  });
  if (values['print-sources']) {
    const versions = ['k8s.io/kubernetes', 'github.com/argoproj/argo-cd/v3', 'github.com/prometheus-operator/prometheus-operator'] as const;
    console.log(versions.map((m) => SCHEMA_SOURCES[m]).join(' '));
    return;
  }
  if (!values.swagger || !values.out) throw new Error('usage: compact-schemas --swagger FILE [--crd FILE]... [--source NAME=VERSION]... --out FILE');

  const definitions: Record<string, Schema> = {};
  const kinds: Record<string, string> = {};
  addSwagger(values.swagger, definitions, kinds);
  const crdKinds: string[] = [];
  for (const crd of values.crd) crdKinds.push(...addCrd(crd, definitions, kinds));
  hoistDuplicates(definitions, crdKinds);

  const source = Object.fromEntries(values.source.map((s) => s.split('=', 2) as [string, string]));
  const bundle: SchemaBundle = {
    source,
    kinds,
    definitions: reachable(definitions, Object.values(kinds)),
  };
  const text = JSON.stringify(sortKeys(bundle)) + '\n';
  writeFileSync(values.out, text);
  console.log(`${values.out}: ${Object.keys(kinds).length} kinds, ${Object.keys(bundle.definitions).length} definitions, ${text.length} bytes`);
}

main();
