/**
 * Returns a control plane to its baseline (what it held once started with the platform CRDs), so
 * the next simulation can run on it instead of on a new one (control-plane-pool.ts). Deletes every
 * object the baseline inventory does not hold (namespaces with everything in them, CRDs with their resources,
 * nodes, cluster-scoped objects), and then demands the inventory equal the baseline exactly: the
 * same resource types, the same objects, each saying the same (inventory.ts). Anything else, and the
 * control plane is not reused.
 */
import { KubeError, type KubeClient } from './kube-client';
import { inventoryDiff, resourceTypes, takeInventory, typeKey, type Inventory, type InventoryEntry, type ResourceType } from './inventory';

export interface ResetOptions {
  /** Give up (the control plane is then not reused) after this long. @default 30000 */
  readonly timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function path(e: Pick<InventoryEntry, 'type' | 'name' | 'namespace'>): string {
  const base = e.type.apiVersion.includes('/') ? `/apis/${e.type.apiVersion}` : `/api/${e.type.apiVersion}`;
  return `${base}${e.type.namespaced && e.namespace !== undefined ? `/namespaces/${e.namespace}` : ''}/${e.type.plural}/${encodeURIComponent(e.name)}`;
}

/** 404: gone already; 409: changed meanwhile (the next round, on a new inventory, tries again). */
async function ignoringGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof KubeError && (e.code === 404 || e.code === 409))) throw e;
  }
}

/**
 * Deletes what the baseline does not hold, each object directly: the namespace controller's sweep
 * (every resource type of every namespace, requeued while pods terminate) took 6-11 s and more API
 * server CPU than a new control plane. Finalizers are dropped first, since no Argo CD, CSI driver or
 * operator runs here to remove theirs; a CRD keeps its own, so that its API server removes its
 * resources. Pods go without a grace period (no kubelet would wait for their containers). A
 * namespace goes last, its Events with it, finalized at once: its objects were deleted one by one,
 * and one created meanwhile shows in the next inventory and is deleted then.
 */
async function deleteExtras(client: KubeClient, baseline: Inventory, now: Inventory): Promise<void> {
  const extras = [...now].filter(([k]) => !baseline.has(k)).map(([, e]) => e);
  const isNamespace = (e: InventoryEntry) => e.type.apiVersion === 'v1' && e.type.kind === 'Namespace';
  const isCrd = (e: InventoryEntry) => e.type.apiVersion === 'apiextensions.k8s.io/v1' && e.type.kind === 'CustomResourceDefinition';
  const unfinalized = extras.filter((e) => e.finalizers.length > 0 && !isNamespace(e) && !isCrd(e));
  await Promise.all(unfinalized.map((e) => ignoringGone(client.request('PATCH', path(e), { metadata: { finalizers: null } }, 'application/merge-patch+json'))));
  const options = (e: InventoryEntry) => ({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(e.type.kind === 'Pod' ? { gracePeriodSeconds: 0 } : {}) });
  // Already deleting: gone once its finalizers are (a Pod's grace period is cut short again).
  await Promise.all(extras.filter((e) => !isNamespace(e) && (!e.deleting || e.type.kind === 'Pod')).map((e) => ignoringGone(client.request('DELETE', path(e), options(e)))));
  await Promise.all(
    extras.filter(isNamespace).map(async (e) => {
      await ignoringGone(client.request('DELETE', `/api/v1/namespaces/${e.name}/events`));
      const live = await client.get('v1', 'Namespace', e.name);
      if (!live) return;
      await ignoringGone(client.request('PUT', `/api/v1/namespaces/${e.name}/finalize`, { ...live, spec: { ...live.spec, finalizers: [] } }));
      await ignoringGone(client.request('DELETE', path(e), options(e)));
    }),
  );
  // Node leases (kube-node-lease) go with their nodes; Events of cluster-scoped objects are in default.
  await ignoringGone(client.request('DELETE', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'));
}

/** How long changed or missing baseline objects may take to come back once every extra object is gone (the ClusterRole aggregation controller restores admin, edit and view). */
const SETTLE_MS = 3_000;

/** Resolves with undefined once the control plane equals its baseline, else with what still differs. */
export async function resetToBaseline(client: KubeClient, baseline: Inventory, baselineTypes: readonly ResourceType[], opts: ResetOptions = {}): Promise<string | undefined> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const expectedTypes = baselineTypes.map(typeKey).join('\n');
  let diff: string[] = [];
  let cleanSince: number | undefined;
  for (let round = 0; Date.now() < deadline; round++) {
    const types = await resourceTypes(client);
    const now = await takeInventory(client, types);
    diff = inventoryDiff(baseline, now);
    const typesDiffer = types.map(typeKey).join('\n') !== expectedTypes;
    if (diff.length === 0 && !typesDiffer) return undefined;
    if (diff.some((d) => d.startsWith('+ ')) || typesDiffer) {
      cleanSince = undefined;
      await deleteExtras(client, baseline, now);
    } else {
      cleanSince ??= Date.now();
      if (Date.now() - cleanSince > SETTLE_MS) break;
    }
    // Namespaces and CRDs are finalized by their controllers.
    await sleep(round === 0 ? 300 : 500);
  }
  const shown = diff.slice(0, 5).join('; ');
  return `not back at its baseline: ${shown || 'resource types differ'}${diff.length > 5 ? ` (${diff.length} differences)` : ''}`;
}
