/**
 * Rules for `cluster` (what a bring-your-own cluster provides): only with provider none (Azure
 * providers derive nodes and storage from `infrastructure`), at most one default StorageClass,
 * distinct node group and class names.
 */
import { Value } from '@sinclair/typebox/value';
import type { EnvironmentConfig } from '../schema';
import { Cluster } from '../sections/cluster';
import type { Report } from './report';

/** JSON with sorted keys: equal values compare equal whatever order the file wrote them in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function checkCluster(env: EnvironmentConfig, report: Report): void {
  const cluster = env.cluster;
  if (env.infrastructure.provider !== 'none') {
    const defaults = Value.Default(Cluster, {});
    if (canonical(cluster) !== canonical(defaults)) {
      report('/cluster', `nothing (infrastructure.provider ${env.infrastructure.provider} derives the nodes and StorageClasses from infrastructure)`, cluster);
    }
    return;
  }
  const defaults = cluster.storageClasses.flatMap((c, i) => (c.default ? [i] : []));
  if (defaults.length > 1) report(`/cluster/storageClasses/${defaults[1]}/default`, 'false (at most one default StorageClass; the API server picks one at random otherwise)', true);
  const duplicate = (names: string[], path: (i: number) => string, what: string) =>
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) report(path(i), `a ${what} not used before in the list`, n);
    });
  duplicate(cluster.nodes.map((n) => n.name), (i) => `/cluster/nodes/${i}/name`, 'node group name');
  duplicate(cluster.storageClasses.map((c) => c.name), (i) => `/cluster/storageClasses/${i}/name`, 'StorageClass name');
}
