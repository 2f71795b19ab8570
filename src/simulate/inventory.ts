/**
 * Everything a control plane holds, by resource type and key, with a fingerprint of what each object
 * says: what a reused control plane is compared with before the next simulation runs on it
 * (control-plane-reset.ts). Events and Leases are left out: the components write them all the time,
 * and the simulation reads no Lease and only the Events of objects it created (diagnose.ts).
 */
import { KubeError, type KubeClient, type KubeObject } from './kube-client';

/** One listable, deletable resource type in its group's preferred version. */
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface InventoryEntry {
  readonly type: ResourceType;
  readonly name: string;
  readonly namespace?: string;
  /** The object without what the cluster changes on its own (status, resourceVersion, managedFields, uid). */
  readonly fingerprint: string;
  readonly finalizers: readonly string[];
  readonly deleting: boolean;
}

/** `apiVersion kind namespace/name` of an entry. */
export type Inventory = ReadonlyMap<string, InventoryEntry>;

const UNTRACKED = new Set(['v1/Event', 'events.k8s.io/v1/Event', 'coordination.k8s.io/v1/Lease']);

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** The tracked resource types the API server serves now (CRDs included), preferred versions only. */
export async function resourceTypes(client: KubeClient): Promise<ResourceType[]> {
  const groups = await client.request<{ groups: { preferredVersion: { groupVersion: string } }[] }>('GET', '/apis');
  const versions = ['v1', ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
  const lists = await Promise.all(versions.map((v) => client.request<{ resources: ApiResource[] }>('GET', v === 'v1' ? '/api/v1' : `/apis/${v}`)));
  return lists
    .flatMap((list, i) =>
      list.resources
        .filter((r) => !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('delete'))
        .map((r) => ({ apiVersion: versions[i], kind: r.kind, plural: r.name, namespaced: r.namespaced })),
    )
    .filter((t) => !UNTRACKED.has(`${t.apiVersion}/${t.kind}`))
    .sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
}

export const typeKey = (t: ResourceType) => `${t.apiVersion} ${t.kind}`;
const entryKey = (t: ResourceType, name: string, namespace?: string) => `${typeKey(t)} ${namespace ?? ''}/${name}`;

/** Metadata the API server sets on its own; status is left out too. */
const SERVER_SET = ['resourceVersion', 'managedFields', 'uid', 'creationTimestamp', 'generation'];

function fingerprint(o: KubeObject): string {
  const metadata: Record<string, unknown> = { ...o.metadata };
  for (const k of SERVER_SET) delete metadata[k];
  const rest: Record<string, unknown> = { ...o, metadata };
  delete rest.status;
  return JSON.stringify(rest);
}

/** The objects of one type; a CRD's resource answers 429 while its storage starts, and is asked again. */
async function listAll(client: KubeClient, t: ResourceType): Promise<KubeObject[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.request<{ items: KubeObject[] }>('GET', `${t.apiVersion.includes('/') ? '/apis' : '/api'}/${t.apiVersion}/${t.plural}`)).items;
    } catch (e) {
      if (!(e instanceof KubeError && e.code === 429) || attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Every object of `types`, across all namespaces. */
export async function takeInventory(client: KubeClient, types: readonly ResourceType[]): Promise<Inventory> {
  const out = new Map<string, InventoryEntry>();
  const lists = await Promise.all(types.map(async (t) => ({ t, items: await listAll(client, t) })));
  for (const { t, items } of lists) {
    for (const o of items) {
      const finalizers = (o.metadata.finalizers as string[] | undefined) ?? [];
      out.set(entryKey(t, o.metadata.name, o.metadata.namespace), {
        type: t,
        name: o.metadata.name,
        ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
        fingerprint: fingerprint({ ...o, apiVersion: t.apiVersion, kind: t.kind }),
        finalizers,
        deleting: o.metadata.deletionTimestamp !== undefined,
      });
    }
  }
  return out;
}

/** How `now` differs from `baseline`: objects added, removed and changed, as `+ key`, `- key`, `~ key`. */
export function inventoryDiff(baseline: Inventory, now: Inventory): string[] {
  const out: string[] = [];
  for (const [k, e] of now) {
    const b = baseline.get(k);
    if (!b) out.push(`+ ${k}`);
    else if (b.fingerprint !== e.fingerprint) out.push(`~ ${k}`);
  }
  for (const k of baseline.keys()) if (!now.has(k)) out.push(`- ${k}`);
  return out.sort();
}
