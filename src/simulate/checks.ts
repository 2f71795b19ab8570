/**
 * The pass criteria, checked on the live cluster after the sync: every Deployment, StatefulSet and
 * DaemonSet available (a DaemonSet must have pods: the bundle renders none for an empty node set),
 * every Job complete, every claim bound, every LoadBalancer Service with an address, every RuntimeClass handler on a node its scheduling
 * selects, every Secret, ConfigMap and ServiceAccount a pod template names present (optional
 * mounts included: the bundle marks mounts optional only so its own scripts can name what is
 * missing, and they fail then).
 */
import type { K8sObject } from '../shared/k8s-object';
import { diagnose } from './diagnose';
import { healthOf } from './health';
import type { KubeClient, KubeObject } from './kube-client';
import { otherSecretReferences, podReferences, podSpecOf } from './references';
import { idOf } from './wait-healthy';

type Json = Record<string, unknown>;

export interface CheckFailure {
  readonly object: string;
  readonly reasons: readonly string[];
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export async function checkCluster(client: KubeClient, rendered: readonly K8sObject[]): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  const nodes = await client.list('v1', 'Node');
  for (const r of rendered) {
    const o = r as unknown as KubeObject;
    const live = await client.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
    const id = idOf(o);
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'PersistentVolumeClaim'].includes(o.kind) || (o.kind === 'Service' && o.spec?.type === 'LoadBalancer')) {
      const h = healthOf(live);
      if (h.status !== 'Healthy') {
        failures.push({ object: id, reasons: [`${h.status}${h.message ? `: ${h.message}` : ''}`, ...(live ? await diagnose(client, live) : [])] });
        continue;
      }
      if (o.kind === 'DaemonSet' && Number(live?.status?.desiredNumberScheduled ?? 0) === 0) {
        failures.push({ object: id, reasons: ['0 desired pods: no node matches its nodeSelector, affinity and tolerations'] });
        continue;
      }
    }
    if (o.kind === 'RuntimeClass') {
      const handler = String(o.handler);
      const selector = ((o.scheduling as Json | undefined)?.nodeSelector ?? {}) as Record<string, string>;
      const matching = nodes.filter((n) => selects(selector, n.metadata.labels ?? {}));
      const withHandler = matching.filter((n) => (Array.isArray(n.status?.runtimeHandlers) ? (n.status?.runtimeHandlers as Json[]) : []).some((h) => h.name === handler));
      if (withHandler.length === 0) {
        const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
        failures.push({ object: id, reasons: [`handler ${handler} is on no node${sel ? ` matching ${sel}` : ''} (${matching.length} of ${nodes.length} nodes match the selector; handlers: ${nodes.map((n) => `${n.metadata.name}=[${((n.status?.runtimeHandlers as Json[] | undefined) ?? []).map((h) => String(h.name)).join(' ')}]`).join(', ')})`] });
      }
    }
    const spec = podSpecOf(o);
    const ns = o.metadata.namespace;
    const refs = [...(spec ? podReferences(spec) : []), ...otherSecretReferences(o)];
    if (refs.length > 0 && ns) {
      const missing: string[] = [];
      for (const ref of refs) {
        if (ref.where === 'imagePullSecrets') continue;
        if (!(await client.get('v1', ref.kind, ref.name, ns))) missing.push(`${ref.kind} ${ns}/${ref.name} not found (${ref.where}${ref.optional ? ', optional' : ''})`);
      }
      if (missing.length > 0) failures.push({ object: id, reasons: missing });
    }
  }
  return failures;
}
