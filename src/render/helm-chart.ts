/**
 * Helm charts from the rendered objects: one chart per component, covering every environment that
 * renders it. What is equal in all those environments is written into the templates as is; what
 * differs is lifted into values, and `ci/<env>-values.yaml` holds each environment's values, so
 * `helm template <c> charts/<c> -f charts/<c>/ci/<env>-values.yaml` gives exactly the objects of
 * `dist/<env>/<c>/` (tested with the real helm). Objects only some environments render are guarded
 * by `hasKey .Values.objects "<key>"`.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from '../shared/yaml11';
import type { K8sObject } from '../shared/k8s-object';

/** One object of one environment, with its path inside the component folder. */
export interface ChartInput {
  /** Sub-folder inside the component (`''` for the component folder itself). */
  readonly subfolder: string;
  readonly object: K8sObject;
}

export interface ChartFiles {
  /** Relative path inside `charts/<name>/` → file content. */
  readonly files: Record<string, string>;
  readonly digest: string;
}

type Node =
  | { readonly t: 'lit'; readonly value: unknown }
  | { readonly t: 'val'; readonly path: string; readonly optional: boolean }
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, Node])[] }
  | { readonly t: 'arr'; readonly items: readonly Node[] };

type Values = Record<string, Record<string, unknown>>;

const YAML_OPTS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * Stands for `.Values.environment` while merging: every string equal to the environment name
 * (labels such as app.kubernetes.io/instance) becomes this, so they are equal across environments
 * and stay in the templates instead of filling the values with one entry per object.
 */
const ENV_SENTINEL = '__COCO_ENVIRONMENT__';
const ENV_TEMPLATE = '{{ .Values.environment | quote }}';

/** Deep copy with every string equal to `env` replaced by the sentinel. */
function withEnvironmentSentinel(v: unknown, env: string): unknown {
  if (v === env) return ENV_SENTINEL;
  if (Array.isArray(v)) return v.map((item) => withEnvironmentSentinel(item, env));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, withEnvironmentSentinel(c, env)]));
  return v;
}

/** The sentinel as YAML emits it (a plain or quoted scalar) becomes the Helm expression. */
function resolveSentinel(line: string): string {
  return line.replace(new RegExp(`"${ENV_SENTINEL}"|'${ENV_SENTINEL}'|${ENV_SENTINEL}`, 'g'), ENV_TEMPLATE);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Literal text that Helm would read as a template must go through values instead. */
function templateSafe(v: unknown): boolean {
  const text = JSON.stringify(v) ?? '';
  return !text.includes('{{') && !text.includes('}}');
}

/** Merges one value as seen in several environments into a template node. */
function merge(seen: readonly unknown[], path: readonly string[], lift: (path: readonly string[], optional: boolean) => Node): Node {
  const first = seen[0];
  if (seen.every((v) => isDeepStrictEqual(v, first)) && templateSafe(first)) return { t: 'lit', value: first };
  if (seen.every((v) => isPlainObject(v) && Object.keys(v).length > 0)) {
    const objects = seen as Record<string, unknown>[];
    const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    return {
      t: 'obj',
      entries: keys.map((k) => {
        const children = objects.map((o) => o[k]);
        const child = children.some((c) => c === undefined) ? lift([...path, k], true) : merge(children, [...path, k], lift);
        return [k, child] as const;
      }),
    };
  }
  if (seen.every((v) => Array.isArray(v) && v.length === (first as unknown[]).length && v.length > 0)) {
    const arrays = seen as unknown[][];
    return { t: 'arr', items: arrays[0].map((_, i) => merge(arrays.map((a) => a[i]), [...path, String(i)], lift)) };
  }
  return lift(path, false);
}

const pad = (n: number) => ' '.repeat(n);
const yamlKey = (k: string) => stringify(k, YAML_OPTS).trimEnd();
const valueRef = (path: string) => `{{ index $v ${JSON.stringify(path)} | toJson }}`;

function emitEntries(entries: readonly (readonly [string, Node])[], indent: number): string[] {
  return entries.flatMap(([k, node]) => emitEntry(k, node, indent));
}

function emitEntry(key: string, node: Node, indent: number): string[] {
  const p = pad(indent);
  switch (node.t) {
    case 'lit':
      return stringify({ [key]: node.value }, YAML_OPTS).trimEnd().split('\n').map((l) => p + l);
    case 'val': {
      const line = `${p}${yamlKey(key)}: ${valueRef(node.path)}`;
      return node.optional ? [`{{- if hasKey $v ${JSON.stringify(node.path)} }}`, line, '{{- end }}'] : [line];
    }
    case 'obj':
      return [`${p}${yamlKey(key)}:`, ...emitEntries(node.entries, indent + 2)];
    case 'arr':
      return [`${p}${yamlKey(key)}:`, ...node.items.flatMap((item) => emitItem(item, indent))];
  }
}

/** One sequence item at `indent` (block sequences inside mappings are not indented further). */
function emitItem(node: Node, indent: number): string[] {
  const p = pad(indent);
  switch (node.t) {
    case 'lit':
      return stringify([node.value], YAML_OPTS).trimEnd().split('\n').map((l) => p + l);
    case 'val':
      return [`${p}- ${valueRef(node.path)}`];
    case 'obj': {
      const lines = emitEntries(node.entries, indent + 2);
      // "- key: ..." when the first line is a plain entry; otherwise "-" on its own line.
      return lines[0].startsWith(pad(indent + 2)) ? [`${p}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1)] : [`${p}-`, ...lines];
    }
    case 'arr':
      return [`${p}-`, ...node.items.flatMap((item) => emitItem(item, indent + 2))];
  }
}

/** Template key of an object: `<subfolder>/<kind>-<name>` (the file name without `.yaml`). */
function objectKey(input: ChartInput): string {
  const file = `${input.object.kind.toLowerCase()}-${input.object.metadata.name}`;
  return input.subfolder ? `${input.subfolder}/${file}` : file;
}

export interface ChartProps {
  readonly name: string;
  readonly description: string;
  /** Objects per environment (only environments that render the component). */
  readonly environments: ReadonlyMap<string, readonly ChartInput[]>;
}

export function buildChart(props: ChartProps): ChartFiles {
  const envs = [...props.environments.keys()].sort();
  const byKey = new Map<string, Map<string, ChartInput>>();
  for (const env of envs) {
    for (const input of props.environments.get(env) ?? []) {
      const key = objectKey(input);
      if (!byKey.has(key)) byKey.set(key, new Map());
      byKey.get(key)?.set(env, { subfolder: input.subfolder, object: withEnvironmentSentinel(input.object, env) as K8sObject });
    }
  }
  const values: Record<string, Values> = Object.fromEntries(envs.map((e) => [e, {}]));
  const files: Record<string, string> = {};
  for (const key of [...byKey.keys()].sort()) {
    const perEnv = byKey.get(key) as Map<string, ChartInput>;
    const present = envs.filter((e) => perEnv.has(e));
    const guarded = present.length < envs.length;
    let lifted = false;
    const lift = (path: readonly string[], optional: boolean): Node => {
      lifted = true;
      const dotted = path.join('.');
      for (const env of present) {
        const v = path.reduce<unknown>((acc, seg) => (isPlainObject(acc) || Array.isArray(acc) ? (acc as Record<string, unknown>)[seg] : undefined), perEnv.get(env)?.object);
        if (v !== undefined) (values[env][key] ??= {})[dotted] = JSON.parse(JSON.stringify(v).split(JSON.stringify(ENV_SENTINEL)).join(JSON.stringify(env)));
      }
      return { t: 'val', path: dotted, optional };
    };
    const root = merge(present.map((e) => perEnv.get(e)?.object), [], lift);
    // Templates index .Values.objects[key] whenever they guard on it or read lifted fields.
    if (guarded || lifted) for (const env of present) values[env][key] ??= {};
    const body = root.t === 'obj' ? emitEntries(root.entries, 0) : stringify(root.t === 'lit' ? root.value : {}, YAML_OPTS).trimEnd().split('\n');
    const lines = [
      ...(guarded ? [`{{- if hasKey .Values.objects ${JSON.stringify(key)} }}`] : []),
      ...(lifted ? [`{{- $v := index .Values.objects ${JSON.stringify(key)} }}`] : []),
      ...body,
      ...(guarded ? ['{{- end }}'] : []),
    ];
    files[`templates/${key}.yaml`] = `${lines.map(resolveSentinel).join('\n')}\n`;
  }

  for (const env of envs) {
    files[`ci/${env}-values.yaml`] = valuesFile(`Values for environment ${env}: helm template with this file renders exactly dist/${env}/${props.name}/.`, env, overDefaults(values[env], values[envs[0]]));
  }
  files['values.yaml'] = valuesFile(
    `Values of chart ${props.name}. "environment" names the instance (app.kubernetes.io/instance and the like). Settings equal in every environment are fixed in the templates; "objects" holds, per object (template file name), the fields that differ between environments, by dotted path. Defaults: environment ${envs[0]}; see ci/ for every shipped environment.`,
    envs[0],
    values[envs[0]],
  );
  files['values.schema.json'] = `${JSON.stringify(valuesSchema(envs.map((e) => values[e])), null, 2)}\n`;
  files['templates/NOTES.txt'] = `${props.name} ({{ .Chart.Version }}): ${props.description}\nRendered from the same constructs as dist/<env>/${props.name}/ of the coco-azure-gitops repository.\n`;

  const digest = createHash('sha256').update(JSON.stringify(Object.entries(files).sort())).digest('hex');
  files['Chart.yaml'] = chartYaml(props, digest);
  return { files, digest };
}

/**
 * Helm deep-merges -f files over values.yaml; a null deletes a default. So an environment's file
 * nulls every default object or field the environment does not have.
 */
function overDefaults(env: Values, defaults: Values): Record<string, Record<string, unknown> | null> {
  const out: Record<string, Record<string, unknown> | null> = { ...env };
  for (const [key, fields] of Object.entries(defaults)) {
    if (!(key in env)) out[key] = null;
    else for (const path of Object.keys(fields)) if (!(path in env[key])) out[key] = { ...out[key], [path]: null };
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

function valuesFile(comment: string, environment: string, objects: Record<string, Record<string, unknown> | null>): string {
  return `# ${comment}\n${stringify({ environment, objects }, YAML_OPTS)}`;
}

/** JSON Schema of the values: the objects and paths that exist, with the types seen. */
function valuesSchema(all: readonly Values[]): object {
  const keys = [...new Set(all.flatMap((v) => Object.keys(v)))].sort();
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);
  const properties = Object.fromEntries(
    keys.map((key) => {
      const paths = [...new Set(all.flatMap((v) => Object.keys(v[key] ?? {})))].sort();
      const pathProps = Object.fromEntries(paths.map((p) => [p, { type: [...new Set(all.flatMap((v) => (v[key] && p in v[key] ? [typeOf(v[key][p])] : [])))].sort() }]));
      return [key, { type: 'object', additionalProperties: false, properties: pathProps }];
    }),
  );
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['environment', 'objects'],
    properties: {
      environment: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'Environment (instance) name.' },
      objects: { type: 'object', additionalProperties: false, properties },
    },
  };
}

/**
 * Version of the values contract (what `values.yaml` and `ci/<env>-values.yaml` mean): bump the
 * minor when values are added, the major when existing values change meaning. Every chart carries it.
 */
export const CHART_VERSION_BASE = '0.1.0';

/** Hex digits of the content digest in the version: 48 bits, no collision among a repository's renders. */
const VERSION_DIGEST_LENGTH = 12;

/**
 * Chart.yaml. The version is a function of the content only, never of an earlier render (so the
 * same configuration gives the same bytes whatever was rendered before): the contract version
 * with the content digest as SemVer build metadata, `0.1.0+<12 hex digits>`. Helm accepts build
 * metadata in chart versions (and writes `+` as `_` in OCI tags); it orders nothing, which is
 * honest: a different digest means different content, not newer content.
 */
function chartYaml(props: ChartProps, digest: string): string {
  const version = `${CHART_VERSION_BASE}+${digest.slice(0, VERSION_DIGEST_LENGTH)}`;
  return stringify(
    { apiVersion: 'v2', name: props.name, description: props.description, type: 'application', version, annotations: { 'coco.azure/content-digest': digest } },
    YAML_OPTS,
  );
}
