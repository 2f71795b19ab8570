/**
 * What a pod needs before its containers can start, which kwok (no kubelet) does not check:
 * Secrets and ConfigMaps it mounts or reads (unless marked optional). The messages are the
 * kubelet's own (`MountVolume.SetUp failed for volume "tls" : secret "kbs-tls" not found`).
 * ServiceAccounts need no check here: the API server's ServiceAccount admission refuses pods
 * without theirs, and the ReplicaSet or Job controller reports that in its events.
 */
import type { KubeClient, KubeObject } from './kube-client';

type Json = Record<string, unknown>;

/** One reference of a pod template to a namespaced object. */
export interface PodReference {
  readonly kind: 'Secret' | 'ConfigMap' | 'ServiceAccount';
  readonly name: string;
  /** Where the template names it, e.g. `volume "tls"` or `env DB_PASSWORD`. */
  readonly where: string;
  /** Optional references do not block the pod. */
  readonly optional: boolean;
  /** For a key reference: the key that must exist. @default none */
  readonly key?: string;
}

/** The pod template (spec) of a workload or the spec of a Pod; undefined for other kinds. */
export function podSpecOf(o: { kind: string; spec?: unknown }): Json | undefined {
  const spec = o.spec as Json | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) return (spec.template as Json | undefined)?.spec as Json | undefined;
  if (o.kind === 'CronJob') return (((spec.jobTemplate as Json | undefined)?.spec as Json | undefined)?.template as Json | undefined)?.spec as Json | undefined;
  return undefined;
}

const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

export function podReferences(spec: Json): PodReference[] {
  const refs: PodReference[] = [{ kind: 'ServiceAccount', name: String(spec.serviceAccountName ?? 'default'), where: 'serviceAccountName', optional: false }];
  for (const v of arr(spec.volumes)) {
    const name = String(v.name);
    const secret = v.secret as Json | undefined;
    if (secret) refs.push({ kind: 'Secret', name: String(secret.secretName), where: `volume "${name}"`, optional: secret.optional === true });
    const cm = v.configMap as Json | undefined;
    if (cm) refs.push({ kind: 'ConfigMap', name: String(cm.name), where: `volume "${name}"`, optional: cm.optional === true });
    for (const source of arr((v.projected as Json | undefined)?.sources)) {
      const ps = source.secret as Json | undefined;
      if (ps) refs.push({ kind: 'Secret', name: String(ps.name), where: `volume "${name}"`, optional: ps.optional === true });
      const pc = source.configMap as Json | undefined;
      if (pc) refs.push({ kind: 'ConfigMap', name: String(pc.name), where: `volume "${name}"`, optional: pc.optional === true });
    }
  }
  for (const c of [...arr(spec.initContainers), ...arr(spec.containers)]) {
    for (const e of arr(c.env)) {
      const from = e.valueFrom as Json | undefined;
      const sk = from?.secretKeyRef as Json | undefined;
      if (sk) refs.push({ kind: 'Secret', name: String(sk.name), key: String(sk.key), where: `env ${String(e.name)} of container "${String(c.name)}"`, optional: sk.optional === true });
      const ck = from?.configMapKeyRef as Json | undefined;
      if (ck) refs.push({ kind: 'ConfigMap', name: String(ck.name), key: String(ck.key), where: `env ${String(e.name)} of container "${String(c.name)}"`, optional: ck.optional === true });
    }
    for (const e of arr(c.envFrom)) {
      const s = e.secretRef as Json | undefined;
      if (s) refs.push({ kind: 'Secret', name: String(s.name), where: `envFrom of container "${String(c.name)}"`, optional: s.optional === true });
      const m = e.configMapRef as Json | undefined;
      if (m) refs.push({ kind: 'ConfigMap', name: String(m.name), where: `envFrom of container "${String(c.name)}"`, optional: m.optional === true });
    }
  }
  for (const s of arr(spec.imagePullSecrets)) refs.push({ kind: 'Secret', name: String(s.name), where: 'imagePullSecrets', optional: true });
  return refs;
}

/**
 * Secrets other objects name: a Prometheus Operator ServiceMonitor's CA and client certificate
 * (`spec.endpoints[].tlsConfig.{ca,cert}.secret`, keySecret); Prometheus cannot scrape without them.
 */
export function otherSecretReferences(o: { kind: string; spec?: unknown }): PodReference[] {
  if (o.kind !== 'ServiceMonitor') return [];
  const refs: PodReference[] = [];
  for (const [i, e] of arr((o.spec as Json | undefined)?.endpoints).entries()) {
    const tls = (e.tlsConfig ?? {}) as Json;
    for (const field of ['ca', 'cert'] as const) {
      const secret = ((tls[field] as Json | undefined)?.secret ?? undefined) as Json | undefined;
      if (secret) refs.push({ kind: 'Secret', name: String(secret.name), key: String(secret.key), where: `endpoints[${i}].tlsConfig.${field}`, optional: secret.optional === true });
    }
    const key = tls.keySecret as Json | undefined;
    if (key) refs.push({ kind: 'Secret', name: String(key.name), key: String(key.key), where: `endpoints[${i}].tlsConfig.keySecret`, optional: key.optional === true });
  }
  return refs;
}

/** The kubelet's message for a missing reference. */
function kubeletMessage(ref: PodReference, missingKey: boolean): string {
  const what = ref.kind === 'Secret' ? 'secret' : 'configmap';
  if (ref.where.startsWith('volume ')) return `MountVolume.SetUp failed for ${ref.where} : ${what} "${ref.name}" not found`;
  if (missingKey) return `Error: couldn't find key ${ref.key ?? ''} in ${ref.kind} ${ref.name} (${ref.where})`;
  return `Error: ${what} "${ref.name}" not found (${ref.where})`;
}

/** Problems with the references of one workload in `namespace`: missing objects or keys, in the kubelet's words. */
export async function missingReferences(client: KubeClient, namespace: string, o: { kind: string; spec?: unknown }): Promise<string[]> {
  const spec = podSpecOf(o);
  if (!spec) return [];
  const problems: string[] = [];
  for (const ref of podReferences(spec)) {
    if (ref.optional) continue;
    const live: KubeObject | undefined = await client.get('v1', ref.kind, ref.name, namespace);
    if (!live) {
      problems.push(ref.kind === 'ServiceAccount' ? `serviceaccount "${ref.name}" not found` : kubeletMessage(ref, false));
      continue;
    }
    if (ref.key !== undefined) {
      const data = { ...((live.data as Json | undefined) ?? {}), ...((live.binaryData as Json | undefined) ?? {}) };
      if (!(ref.key in data)) problems.push(kubeletMessage(ref, true));
    }
  }
  return problems;
}
