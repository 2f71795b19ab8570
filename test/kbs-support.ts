// Shared helpers of the test/kbs-*.test.ts files: build the KBS component of a shipped (or
// modified) environment in-process and find objects, volumes and mounts in the result.
import { App, Chart } from 'cdk8s';
import { parse as parseToml } from 'smol-toml';
import { loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import type { EnvironmentConfig } from '../src/config/schema';
import type { K8sObject } from '../src/shared/k8s-object';
import { buildKbs } from '../src/k8s/kbs';
import type { ComponentScope } from '../src/k8s/component-builder';
import { repoRoot } from './support/tools';

export type Json = Record<string, unknown>;

export function loadEnv(name: string, change?: (config: EnvironmentConfig) => void): LoadedEnvironment {
  const env = loadEnvironment(repoRoot(), name);
  if (!change) return env;
  const config = structuredClone(env.config);
  change(config);
  return { ...env, config };
}

/** The objects the KBS builder adds for `env` (without the component Namespace, which bundle.ts renders). */
export function kbsObjects(env: LoadedEnvironment): K8sObject[] {
  const app = new App();
  const chart = new Chart(app, 'kbs', { disableResourceNameHashes: true });
  const unused = (id: string): Chart => new Chart(app, id, { disableResourceNameHashes: true });
  const scope: ComponentScope = { chart, subfolder: (sub) => unused(`sub-${sub}`), argocd: unused('argocd'), grant: () => undefined };
  buildKbs(scope, env);
  return chart.toJson() as K8sObject[];
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered; found ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

export function configMapData(objects: readonly K8sObject[], name: string): Record<string, string> {
  return find(objects, 'ConfigMap', name).data as Record<string, string>;
}

export function kbsToml(objects: readonly K8sObject[]): Json {
  return parseToml(configMapData(objects, 'kbs-config')['kbs-config.toml']) as Json;
}

export interface PodSpec {
  readonly containers: Json[];
  readonly volumes: Json[];
  readonly [key: string]: unknown;
}

export function podSpec(o: K8sObject): PodSpec {
  return at(o, 'spec', 'template', 'spec') as PodSpec;
}

/**
 * The file a container sees at `path`, resolved through its mounts: which volume, which key of
 * which ConfigMap/Secret, or which claim. Undefined when nothing mounted provides the path.
 */
export function resolveFile(spec: PodSpec, container: Json, path: string): { volume: Json; key?: string; mountPath: string; readOnly: boolean } | undefined {
  const mounts = (container.volumeMounts as Json[]).filter((m) => path.startsWith(`${m.mountPath as string}/`));
  const mount = mounts.sort((a, b) => (b.mountPath as string).length - (a.mountPath as string).length)[0];
  if (!mount) return undefined;
  const volume = spec.volumes.find((v) => v.name === mount.name);
  if (!volume) return undefined;
  const rest = path.slice((mount.mountPath as string).length + 1);
  const source = (volume.configMap ?? volume.secret) as Json | undefined;
  const items = source?.items as Json[] | undefined;
  const key = source ? (items ? (items.find((i) => i.path === rest)?.key as string | undefined) : rest) : undefined;
  if (source && key === undefined) return undefined;
  return { volume, key, mountPath: mount.mountPath as string, readOnly: mount.readOnly === true };
}

/** Every string leaf of a parsed TOML document, with its dotted key. */
export function tomlStrings(doc: unknown, prefix = ''): [string, string][] {
  if (typeof doc === 'string') return [[prefix, doc]];
  if (Array.isArray(doc)) return doc.flatMap((d, i) => tomlStrings(d, `${prefix}[${i}]`));
  if (doc !== null && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => tomlStrings(v, prefix ? `${prefix}.${k}` : k));
  return [];
}
