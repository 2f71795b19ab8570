/**
 * Why an object is not healthy, in the words of the component that decided it: the scheduler's
 * PodScheduled condition (`0/3 nodes are available: ...`), the controllers' and the provisioner's
 * events (FailedCreate, ProvisioningFailed, ...), and the kubelet's for missing Secrets/ConfigMaps.
 */
import type { KubeClient, KubeObject } from './kube-client';
import { missingReferences } from './references';

type Json = Record<string, unknown>;

/**
 * Events of one object, oldest first, as `Type Reason: message`. A live object's are matched by its
 * uid too: an earlier object of the same name (a reused control plane's last simulation) had its own.
 */
export async function eventsOf(client: KubeClient, o: { kind: string; metadata: { name: string; namespace?: string; uid?: string } }): Promise<string[]> {
  const selector = encodeURIComponent(`involvedObject.kind=${o.kind},involvedObject.name=${o.metadata.name}${o.metadata.uid ? `,involvedObject.uid=${o.metadata.uid}` : ''}`);
  const events = await client.list('v1', 'Event', o.metadata.namespace ?? 'default', `fieldSelector=${selector}`);
  return events
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
    .map((e) => `${String(e.type)} ${String(e.reason)}: ${String(e.message).trim()}`);
}

/** Pods a workload owns (through its ReplicaSets for a Deployment). */
export async function podsOf(client: KubeClient, o: KubeObject): Promise<KubeObject[]> {
  const ns = o.metadata.namespace;
  if (!ns) return [];
  const owned = (items: KubeObject[], uids: Set<string>) => items.filter((i) => (i.metadata.ownerReferences ?? []).some((r) => uids.has(r.uid)));
  const pods = await client.list('v1', 'Pod', ns);
  if (o.kind === 'Deployment') {
    const sets = owned(await client.list('apps/v1', 'ReplicaSet', ns), new Set([o.metadata.uid ?? '']));
    return owned(pods, new Set(sets.map((s) => s.metadata.uid ?? '')));
  }
  return owned(pods, new Set([o.metadata.uid ?? '']));
}

async function replicaSetsOf(client: KubeClient, o: KubeObject): Promise<KubeObject[]> {
  if (o.kind !== 'Deployment' || !o.metadata.namespace) return [];
  return (await client.list('apps/v1', 'ReplicaSet', o.metadata.namespace)).filter((s) => (s.metadata.ownerReferences ?? []).some((r) => r.uid === o.metadata.uid));
}

/** Lines explaining why `o` is not healthy (reasons first, then events). */
export async function diagnose(client: KubeClient, o: KubeObject): Promise<string[]> {
  const lines: string[] = [];
  const ns = o.metadata.namespace;
  if (ns) for (const p of await missingReferences(client, ns, o)) lines.push(`kubelet: ${p}`);
  for (const rs of await replicaSetsOf(client, o)) for (const e of await eventsOf(client, rs)) lines.push(`ReplicaSet ${rs.metadata.name}: ${e}`);
  for (const pod of await podsOf(client, o)) {
    const scheduled = (Array.isArray(pod.status?.conditions) ? (pod.status?.conditions as Json[]) : []).find((c) => c.type === 'PodScheduled');
    if (scheduled && scheduled.status !== 'True') lines.push(`Pod ${pod.metadata.name}: ${String(scheduled.reason)}: ${String(scheduled.message ?? '')}`);
    for (const e of await eventsOf(client, pod)) if (e.startsWith('Warning')) lines.push(`Pod ${pod.metadata.name}: ${e}`);
  }
  for (const e of await eventsOf(client, o)) lines.push(e);
  if (o.kind === 'PersistentVolumeClaim') {
    const sc = (o.spec?.storageClassName as string | undefined) ?? '';
    const missing = `storageclass.storage.k8s.io "${sc}" not found`;
    // The PV controller says so only for Immediate claims it tried to provision; say it for the rest.
    if (sc && !lines.some((l) => l.includes(missing)) && !(await client.get('storage.k8s.io/v1', 'StorageClass', sc))) lines.push(missing);
  }
  return [...new Set(lines)];
}
