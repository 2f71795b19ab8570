/**
 * Waits, as Argo CD does between sync waves, until every object of a step is healthy; gives up
 * early when the cluster has settled on a reason that does not go away by waiting (the scheduler
 * found no node, a controller cannot create pods, a Secret is missing, nothing provisions a claim).
 */
import { diagnose } from './diagnose';
import { healthOf, type Health } from './health';
import { missingReferences } from './references';
import type { KubeClient, KubeObject } from './kube-client';

export interface WaitOptions {
  /** Give up after this long in any case. @default 90000 */
  readonly timeoutMs?: number;
  /** Give up when a blocking reason has stayed the same this long. @default 6000 */
  readonly settleMs?: number;
}

export interface Unhealthy {
  readonly object: KubeObject;
  readonly id: string;
  readonly health: Health;
  /** The reasons and events, in the components' own words. */
  readonly reasons: readonly string[];
}

/** Reasons that do not resolve by waiting: the cluster as given cannot make progress. */
const BLOCKING = [/Unschedulable/, /FailedCreate/, /^kubelet: /, /not found/, /ProvisioningFailed/, /waiting for a volume to be created/, /ExternalProvisioning/, /FailedScheduling/, /LoadBalancerPending/, /SyncLoadBalancerFailed/];

export const idOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) => (o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function live(client: KubeClient, o: KubeObject): Promise<KubeObject | undefined> {
  return client.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
}

/**
 * Resolves with the objects that did not become healthy (empty: all healthy). `extra` adds checks
 * Argo CD's health does not make but the real node would (missing Secrets stop the kubelet).
 */
export async function waitHealthy(client: KubeClient, objects: readonly KubeObject[], opts: WaitOptions = {}, assertAlive: () => void = () => undefined): Promise<Unhealthy[]> {
  const timeout = opts.timeoutMs ?? 90_000;
  const settle = opts.settleMs ?? 6_000;
  const start = Date.now();
  let lastKey = '';
  let stableSince = Date.now();
  for (;;) {
    assertAlive();
    const states = await Promise.all(objects.map(async (o) => ({ o, l: await live(client, o) })));
    const pending = states.map(({ o, l }) => ({ o, l, h: healthOf(l) })).filter((s) => s.h.status !== 'Healthy');
    // Argo CD's health says nothing of mounts: a pod whose Secret is missing never starts.
    const blockedByMounts: Unhealthy[] = [];
    for (const s of states.filter((x) => x.l && !pending.some((p) => p.o === x.o))) {
      const l = s.l as KubeObject;
      const reasons = l.metadata.namespace ? (await missingReferences(client, l.metadata.namespace, l)).map((r) => `kubelet: ${r}`) : [];
      if (reasons.length > 0) blockedByMounts.push({ object: l, id: idOf(s.o), health: { status: 'Progressing', message: 'pods cannot start' }, reasons });
    }
    if (pending.length === 0 && blockedByMounts.length === 0) return [];
    const degraded = pending.filter((p) => p.h.status === 'Degraded');
    const elapsed = Date.now() - start;
    const key = JSON.stringify([pending.map((p) => [idOf(p.o), p.h.status, p.h.message]), blockedByMounts.map((b) => b.id)]);
    if (key !== lastKey) {
      lastKey = key;
      stableSince = Date.now();
    }
    const report = async (): Promise<Unhealthy[]> => [
      ...(await Promise.all(pending.map(async (p) => ({ object: p.l ?? p.o, id: idOf(p.o), health: p.h, reasons: p.l ? await diagnose(client, p.l) : [] })))),
      ...blockedByMounts,
    ];
    if (degraded.length > 0 || elapsed > timeout) return report();
    if (Date.now() - stableSince > settle) {
      const found = await report();
      // One object stuck for good stops the wave: Argo CD would wait on it forever.
      if (found.some((u) => u.reasons.some((r) => BLOCKING.some((b) => b.test(r))))) return found;
    }
    await sleep(300);
  }
}
