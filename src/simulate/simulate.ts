/**
 * One environment brought up the way an operator deploys it, on a real control plane with
 * simulated nodes: the cluster as the infrastructure (or `cluster`) gives it, the operator's
 * Secrets as the docs create them, `kubectl apply -f dist/<env>/bootstrap/`, then Argo CD's sync;
 * finally the pass criteria (checks.ts). What the simulation cannot show is in docs/simulation.md.
 */
import type { LoadedEnvironment } from '../config/load';
import { buildManifests, DIST_PATH } from '../k8s/bundle';
import type { K8sObject } from '../shared/k8s-object';
import { clusterNodes } from '../shared/cluster-nodes';
import { BOOTSTRAP_FOLDER } from '../shared/components';
import { AdmissionServer } from './admission-server';
import { ArgoSimulator } from './argo-apply';
import { checkCluster } from './checks';
import { clusterProvides } from './cluster-provides';
import { ControlPlane, type ControlPlaneOptions } from './control-plane';
import type { ControlPlanePool } from './control-plane-pool';
import type { KubeClient, KubeObject } from './kube-client';
import { loadBalancerProvider, SimulatedLoadBalancers } from './load-balancer';
import { nodeObject } from './nodes';
import { createOperatorSecrets, OPERATOR_DOCS, type SecretRef } from './operator-secrets';
import { chartSecretReferences } from './platform-charts';
import { SimulatedProvisioner } from './provisioner';
import { otherSecretReferences, podReferences, podSpecOf } from './references';
import { idOf, type WaitOptions } from './wait-healthy';
import { installCrds } from './install-crds';
import { waitFor } from './wait-for';

export interface SimulationFailure {
  /** Where it failed: `operator`, `bootstrap`, an Application name, or `check`. */
  readonly stage: string;
  readonly object: string;
  readonly reasons: readonly string[];
}

export interface SimulationResult {
  readonly environment: string;
  readonly ok: boolean;
  readonly failures: readonly SimulationFailure[];
  /** Seconds: control plane start, sync, total. */
  readonly seconds: { readonly controlPlane: number; readonly sync: number; readonly total: number };
  readonly nodes: number;
  readonly objects: number;
  /** `Kind namespace/name` of every object the simulated Argo CD applied, in apply order. */
  readonly synced: readonly string[];
}

export interface SimulateOptions {
  readonly wait?: WaitOptions;
  /** Keep the control plane's folder (logs) for inspection. @default false */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
  /**
   * Changes the rendered bundle before it is applied (tests break an environment on purpose).
   * @default none
   */
  readonly mutate?: (folders: Map<string, K8sObject[]>) => void;
  /** Runs after the operator's commands, before bootstrap (tests delete a Secret). @default none */
  readonly afterOperator?: (client: KubeClient) => Promise<void>;
  /** Runs after the sync and the checks, before the control plane stops (tests read the live cluster). @default none */
  readonly afterSync?: (client: KubeClient) => Promise<void>;
  /** Control planes shared with the other simulations of this run (reset between them). @default a new control plane, stopped at the end */
  readonly controlPlanes?: ControlPlanePool;
}

/** Secrets the rendered pod templates and the external charts' values name (pull secrets aside), per namespace. */
function referencedSecrets(objects: readonly K8sObject[]): SecretRef[] {
  const seen = new Map<string, SecretRef>();
  for (const o of objects) {
    if (o.kind === 'Application') for (const ref of chartSecretReferences(o as unknown as KubeObject)) seen.set(`${ref.namespace}/${ref.name}`, ref);
    const spec = podSpecOf(o as unknown as KubeObject);
    const namespace = o.metadata.namespace;
    if (!namespace) continue;
    for (const ref of [...(spec ? podReferences(spec) : []), ...otherSecretReferences(o as unknown as KubeObject)]) if (ref.kind === 'Secret' && ref.where !== 'imagePullSecrets') seen.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
  }
  return [...seen.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/**
 * The control plane an environment's simulation runs on: at the Kubernetes minor it targets (the
 * pinned patch), with its Service and pod networks; a pooled one has Argo CD's CRDs in its baseline
 * (every environment's cluster has them).
 */
export function controlPlaneFor(env: LoadedEnvironment, keep?: boolean, provides = clusterProvides(env.config)): { readonly options: ControlPlaneOptions; readonly platformCrds: readonly KubeObject[] } {
  const network = env.config.infrastructure.network;
  return {
    options: { serviceCidr: network.serviceCidr, podCidr: network.podCidr, kubernetesMinor: env.config.kubernetesVersion, ...(keep === undefined ? {} : { keep }) },
    platformCrds: provides.platformCrds,
  };
}

export async function simulateEnvironment(env: LoadedEnvironment, opts: SimulateOptions = {}): Promise<SimulationResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const folders = new Map<string, K8sObject[]>(buildManifests(env).map((f) => [`${DIST_PATH}/${env.name}/${f.folder}`, [...f.objects]]));
  opts.mutate?.(folders);
  const rendered = [...folders.entries()].filter(([path]) => !path.endsWith(`/${BOOTSTRAP_FOLDER}`)).flatMap(([, objects]) => objects);
  const nodes = clusterNodes(env.config);
  const provides = clusterProvides(env.config);
  const { options: cpOptions, platformCrds } = controlPlaneFor(env, opts.keep, provides);
  // Free ports are picked before the components bind them: another simulation starting at the same
  // moment can take one first. One more start with new ports settles that; a second failure is real.
  const start = (o: ControlPlaneOptions) => (opts.controlPlanes ? opts.controlPlanes.acquire(o, platformCrds) : ControlPlane.start(o));
  const cp = await start(cpOptions).catch((first: unknown) => {
    log(`${env.name}: control plane failed to start, retrying with new ports: ${first instanceof Error ? first.message.split('\n')[0] : String(first)}`);
    return start(cpOptions);
  });
  const failures: SimulationFailure[] = [];
  const tReady = Date.now();
  log(`${env.name}: control plane up in ${((tReady - t0) / 1000).toFixed(1)}s (${cp.dir})`);
  const client = cp.client;
  const provisioner = new SimulatedProvisioner(client, new Set(provides.storageClasses.map((c) => String(c.provisioner))));
  const loadBalancers = new SimulatedLoadBalancers(client, loadBalancerProvider(env.config, env.name));
  const admission = new AdmissionServer(cp.dir);
  let tSync = tReady;
  const synced: string[] = [];
  try {
    // The platform: Argo CD's namespace and CRDs, the cluster's StorageClasses and nodes.
    for (const ns of provides.namespaces) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // Applying Argo CD's again on a pooled control plane would change nothing and cost kube-apiserver
    // ~0.13 s of CPU each.
    await installCrds(client, opts.controlPlanes ? provides.declaredCrds : [...provides.platformCrds, ...provides.declaredCrds]);
    for (const sc of provides.storageClasses) await client.apply(sc);
    for (const node of nodes) await client.create(nodeObject(node));
    await waitFor('kwok to mark every node Ready', async () => {
      const live = await client.list('v1', 'Node');
      return live.length === nodes.length && live.every((n) => ((n.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
    });
    provisioner.start();
    loadBalancers.start();
    await admission.start();

    // The operator: Secrets as the docs say, before the first sync.
    const secrets = referencedSecrets(rendered);
    const operator = createOperatorSecrets(cp.kubeconfig, secrets);
    for (const e of operator.errors) failures.push({ stage: 'operator', object: 'documented commands', reasons: [e] });
    for (const s of operator.undocumented) failures.push({ stage: 'operator', object: `Secret ${s.namespace}/${s.name}`, reasons: [`referenced by the bundle, but no doc (${OPERATOR_DOCS.join(', ')}) has the kubectl command that creates it`] });
    await opts.afterOperator?.(client);

    tSync = Date.now();
    const argo = new ArgoSimulator({ client, folders, wait: opts.wait, assertAlive: () => cp.assertAlive(), log: (l) => log(`${env.name}: ${l}`), admission });
    await argo.bootstrap(folders.get(`${DIST_PATH}/${env.name}/${BOOTSTRAP_FOLDER}`) ?? []);
    synced.push(...argo.applied.map((o) => idOf(o)));
    for (const f of argo.failures) failures.push({ stage: f.application, object: f.object, reasons: f.reasons });
    // Criteria on what was synced; a stopped sync is reported where it stopped, and what it never
    // reached is not checked (Argo CD would not have applied it either).
    const reported = new Set(failures.map((f) => f.object));
    const appliedIds = new Set(argo.applied.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    const reached = rendered.filter((o) => appliedIds.has(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    for (const f of await checkCluster(client, reached)) if (!reported.has(f.object)) failures.push({ stage: 'check', object: f.object, reasons: f.reasons });
    await opts.afterSync?.(client);
    if (provisioner.lastError) log(`${env.name}: provisioner: ${provisioner.lastError}`);
    if (loadBalancers.lastError) log(`${env.name}: load balancers: ${loadBalancers.lastError}`);
    for (const e of admission.errors) log(`${env.name}: admission webhook: ${e}`);
  } finally {
    provisioner.stop();
    loadBalancers.stop();
    await admission.stop();
    await (opts.controlPlanes ? opts.controlPlanes.release(cp) : cp.stop());
  }
  const t1 = Date.now();
  return {
    environment: env.name,
    ok: failures.length === 0,
    failures,
    seconds: { controlPlane: (tReady - t0) / 1000, sync: (t1 - tSync) / 1000, total: (t1 - t0) / 1000 },
    nodes: nodes.length,
    objects: rendered.length,
    synced,
  };
}
