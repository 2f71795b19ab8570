// The simulation's external charts of azure-peer-pods, without a control plane: the peerpods
// stand-in's checks and its node patch (a fake client), the real cert-manager chart rendered with
// Helm 4 from its Go module, the AKS load balancer's addresses and Argo CD's Service health.
// The whole environment comes up in simulate.test.ts.
import { buildManifests } from '../src/k8s/bundle';
import type { KubeClient, KubeObject } from '../src/simulate/kube-client';
import { renderCertManager } from '../src/simulate/charts/cert-manager';
import { advertisePodVms, missingCertManagerCrds, peerpodsChartStandIn, peerPodsWebhookPatch, peerpodsValueProblems } from '../src/simulate/charts/peerpods';
import { healthOf } from '../src/simulate/health';
import { assignAddress, loadBalancerProvider, SimulatedLoadBalancers } from '../src/simulate/load-balancer';
import { isAzureUsableAddress, mustParseCidr } from '../src/shared/network';
import { chartStandIn } from '../src/simulate/platform-charts';
import { env } from './support/simulations';

const peerPodsEnv = env('azure-peer-pods');
const objects = buildManifests(peerPodsEnv).flatMap((f) => f.objects) as unknown as KubeObject[];
const applications = objects.filter((o) => o.kind === 'Application');
const app = (suffix: string) => {
  const found = applications.find((a) => a.metadata.name === `azure-peer-pods-${suffix}`);
  if (!found) throw new Error(`no Application azure-peer-pods-${suffix}: ${applications.map((a) => a.metadata.name).join(', ')}`);
  return structuredClone(found);
};
const values = (a: KubeObject) => (a.spec?.source as { helm: { valuesObject: Record<string, any> } }).helm.valuesObject;
const ctx = { applications, kubeVersion: 'v1.36.5' };

/** Enough of KubeClient for the stand-in: get from a fixed set, patches recorded. */
function fakeClient(live: KubeObject[]): { client: KubeClient; patches: { name: string; status: unknown }[] } {
  const patches: { name: string; status: unknown }[] = [];
  const client = {
    get: async (_apiVersion: string, kind: string, name: string) => live.find((o) => o.kind === kind && o.metadata.name === name),
    list: async (_v: string, kind: string) => live.filter((o) => o.kind === kind),
    patchStatus: async (o: KubeObject, status: unknown) => {
      patches.push({ name: o.metadata.name, status });
      return o;
    },
  } as unknown as KubeClient;
  return { client, patches };
}

describe('peerpods chart stand-in', () => {
  it('the rendered Application passes its checks and makes the DaemonSet, peerpod-ctrl and the webhook (2 replicas)', () => {
    expect(peerpodsValueProblems(app('peerpods'), ctx)).toEqual([]);
    const made = peerpodsChartStandIn(app('peerpods'), ctx).objects;
    const ds = made.find((o) => o.kind === 'DaemonSet') as KubeObject;
    const pod = (ds.spec as any).template.spec;
    expect({ name: ds.metadata.name, nodeSelector: pod.nodeSelector, hostNetwork: pod.hostNetwork, tolerations: pod.tolerations, image: pod.containers[0].image }).toEqual({
      name: 'cloud-api-adaptor-daemonset',
      nodeSelector: { 'node.kubernetes.io/worker': '' },
      hostNetwork: true,
      tolerations: undefined,
      image: 'registry.k8s.io/pause:3.10',
    });
    expect((ds.spec as any).template.metadata.labels['azure.workload.identity/use']).toBe('true');
    const deployments = made.filter((o) => o.kind === 'Deployment').map((d) => [d.metadata.name, (d.spec as any).replicas]);
    expect(deployments).toEqual([
      ['peerpodctrl-controller-manager', 1],
      ['peer-pods-webhook-controller-manager', 2],
    ]);
    // Without the simulation's admission server (as here) no webhook configuration: nothing would answer it.
    expect(made.map((o) => o.kind)).not.toContain('MutatingWebhookConfiguration');
  });

  it('kata-deploy left on while the CoCo chart installs it: two owners', () => {
    const a = app('peerpods');
    delete values(a)['kata-deploy'];
    expect(peerpodsValueProblems(a, ctx)).toEqual([expect.stringMatching(/^values kata-deploy.enabled is not false while Application azure-peer-pods-coco-runtime installs kata-deploy from the CoCo chart: two owners of kata-deploy/)]);
    expect(() => chartStandIn(a, ctx)).toThrow(/two owners of kata-deploy/);
  });

  it('an empty Azure value CAA requires, or no credential at all', () => {
    const a = app('peerpods');
    values(a).providerConfigs.azure.AZURE_SUBNET_ID = '';
    delete values(a).daemonset.podLabels;
    expect(peerpodsValueProblems(a, ctx)).toEqual([
      "values providerConfigs.azure.AZURE_SUBNET_ID is empty: cloud-api-adaptor's entrypoint.sh (test_vars) exits before CAA starts",
      expect.stringMatching(/^values give CAA no credential: no client secret \(secrets.existingSecretName is empty\), so CAA uses workload identity .* needs daemonset.podLabels azure.workload.identity\/use: "true"/),
    ]);
  });

  it('synced before cert-manager: the webhook Issuer and Certificate have no CRDs, named', async () => {
    const failures = await missingCertManagerCrds(fakeClient([]).client);
    expect(failures).toEqual([
      {
        object: 'Certificate peer-pods-webhook-serving-cert, Issuer peer-pods-webhook-selfsigned-issuer',
        reasons: [expect.stringMatching(/cannot be applied: the cluster has no CRD certificates.cert-manager.io, issuers.cert-manager.io at the start of this sync wave .* cert-manager must be synced, healthy, in an earlier wave$/)],
      },
    ]);
    const crds = ['certificates.cert-manager.io', 'issuers.cert-manager.io'].map((name) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } }));
    expect(await missingCertManagerCrds(fakeClient(crds).client)).toEqual([]);
    // The webhook switched off needs no cert-manager.
    const a = app('peerpods');
    values(a).webhook.enabled = false;
    expect(peerpodsChartStandIn(a, ctx).preflight).toBeUndefined();
  });

  it('a node model without node.kubernetes.io/worker: the DaemonSet matches no node', async () => {
    const standIn = peerpodsChartStandIn(app('peerpods'), ctx);
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cloud-api-adaptor-daemonset', namespace: 'confidential-containers-system' }, status: { desiredNumberScheduled: 0 } };
    const found = await standIn.afterHealthy?.(fakeClient([ds]).client);
    expect(found).toEqual([
      { object: 'DaemonSet confidential-containers-system/cloud-api-adaptor-daemonset', reasons: [expect.stringMatching(/^DaemonSet cloud-api-adaptor-daemonset matches no node: none is labelled node.kubernetes.io\/worker="" /)] },
    ]);
  });

  it("where CAA runs, its node gets kata.peerpods.io/vm = PEERPODS_LIMIT_PER_NODE (capacity and allocatable)", async () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'aks-system-1' } };
    const { client, patches } = fakeClient([node]);
    await advertisePodVms(client, ['aks-system-1', 'gone'], 10);
    expect(patches).toEqual([{ name: 'aks-system-1', status: { capacity: { 'kata.peerpods.io/vm': '10' }, allocatable: { 'kata.peerpods.io/vm': '10' } } }]);
  });
});

it("the peer-pods webhook's mutation: a kata-remote pod asks for one pod VM instead of CPU and memory, other pods are left alone", () => {
  const pod = (runtimeClassName?: string) => ({
    spec: { runtimeClassName, initContainers: [{ name: 'init', resources: { requests: { cpu: '1' } } }], containers: [{ name: 'a', resources: { limits: { memory: '1Gi' } } }, { name: 'b' }] },
  });
  expect(peerPodsWebhookPatch(pod('kata-remote'), 'kata-remote', 'kata.peerpods.io/vm')).toEqual([
    { op: 'add', path: '/spec/initContainers/0/resources', value: {} },
    { op: 'add', path: '/spec/containers/0/resources', value: { requests: { 'kata.peerpods.io/vm': '1' }, limits: { 'kata.peerpods.io/vm': '1' } } },
    { op: 'add', path: '/spec/containers/1/resources', value: {} },
  ]);
  expect(peerPodsWebhookPatch(pod('kata-qemu-coco-dev'), 'kata-remote', 'kata.peerpods.io/vm')).toEqual([]);
  expect(peerPodsWebhookPatch(pod(), 'kata-remote', 'kata.peerpods.io/vm')).toEqual([]);
});

describe('cert-manager: the real chart, rendered with Helm 4 from github.com/cert-manager/cert-manager', () => {
  const rendered = renderCertManager(app('cert-manager'), ctx);
  const names = (kind: string) => rendered.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

  it('its CRDs (crds.enabled), controllers at the Application version, leader election in its own namespace', () => {
    expect(names('CustomResourceDefinition')).toEqual(expect.arrayContaining(['/certificates.cert-manager.io', '/issuers.cert-manager.io']));
    expect(names('Deployment')).toEqual(['cert-manager/cert-manager', 'cert-manager/cert-manager-cainjector', 'cert-manager/cert-manager-webhook']);
    const images = rendered.filter((o) => o.kind === 'Deployment').map((d) => (d.spec as any).template.spec.containers[0].image);
    expect(images.every((i: string) => i.endsWith(':v1.21.2'))).toBe(true);
    // global.leaderElection.namespace: nothing in kube-system, which the AppProject does not allow.
    expect(rendered.filter((o) => o.metadata.namespace === 'kube-system')).toEqual([]);
  });

  it('a targetRevision that is no release tag is refused', () => {
    const a = app('cert-manager');
    (a.spec?.source as Record<string, unknown>).targetRevision = '1.21.*';
    expect(() => renderCertManager(a, ctx)).toThrow(/targetRevision "1.21.\*" is not a release tag vX.Y.Z/);
  });
});

describe('LoadBalancer Services', () => {
  const svc = (annotations: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kbs-vnet', namespace: 'coco-tenant', annotations }, spec: { type: 'LoadBalancer' } });
  const azure = loadBalancerProvider(peerPodsEnv.config, 'azure-peer-pods').azure;
  const internal = { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true', 'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'kbs' };

  it('AKS gives an internal load balancer the annotated address in its subnet, and refuses one outside', () => {
    expect(azure).toBeDefined();
    if (!azure) return;
    expect(assignAddress(svc({ ...internal, 'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.0.3.250' }), azure, 0)).toEqual({ ip: '10.0.3.250' });
    expect(assignAddress(svc({ ...internal, 'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.0.2.250' }), azure, 0)).toEqual({
      error: 'PrivateIPAddressNotInSubnet: private static IP address 10.0.2.250 (service.beta.kubernetes.io/azure-load-balancer-ipv4) does not belong to the usable range of subnet kbs (10.0.3.0/24)',
    });
    expect(assignAddress(svc({ ...internal, 'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'nope' }), azure, 0)).toEqual({ error: expect.stringMatching(/^subnet nope .* is not a subnet of the cluster's VNet \(aks-nodes, kbs, pod-vms\)$/) });
    // Azure reserves the first four addresses and the last of every subnet.
    expect(['10.0.3.3', '10.0.3.4', '10.0.3.255', '10.0.4.4'].map((ip) => isAzureUsableAddress(ip, mustParseCidr('10.0.3.0/24')))).toEqual([false, true, false, false]);
  });

  it('kubeadm (azure-tdx) and bring-your-own clusters have nothing that assigns addresses', () => {
    expect(loadBalancerProvider(env('azure-tdx').config, 'azure-tdx')).toEqual({ none: 'the kubeadm cluster (azure-tdx) runs no cloud controller manager' });
    expect(loadBalancerProvider(env('coco-dev').config, 'coco-dev').azure).toBeUndefined();
  });

  it("Argo CD's health: Progressing until the load balancer has an address; other Services always Healthy", () => {
    expect(healthOf(svc({})).status).toBe('Progressing');
    expect(healthOf({ ...svc({}), status: { loadBalancer: { ingress: [{ ip: '10.0.3.250' }] } } }).status).toBe('Healthy');
    expect(healthOf({ ...svc({}), spec: { type: 'ClusterIP' } }).status).toBe('Healthy');
  });

  it('the controller: AKS sets the address with its events; where nothing serves load balancers, an event says why', async () => {
    const run = async (provider: ReturnType<typeof loadBalancerProvider>, service: KubeObject) => {
      const events: string[] = [];
      const status: unknown[] = [];
      const client = {
        list: async () => [service],
        create: async (e: KubeObject) => {
          events.push(`${String(e.type)} ${String(e.reason)}: ${String(e.message)}`);
          return e;
        },
        patchStatus: async (_o: KubeObject, s: unknown) => {
          status.push(s);
          return service;
        },
      } as unknown as KubeClient;
      const controller = new SimulatedLoadBalancers(client, provider);
      await controller.tick();
      await controller.tick(); // once per Service version
      return { events, status, error: controller.lastError };
    };
    const kbsVnet = svc({ ...internal, 'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.0.3.250' });
    Object.assign(kbsVnet.metadata, { uid: 'u1', resourceVersion: '1' });
    expect(await run(loadBalancerProvider(peerPodsEnv.config, 'azure-peer-pods'), kbsVnet)).toEqual({
      events: ['Normal EnsuringLoadBalancer: Ensuring load balancer', 'Normal EnsuredLoadBalancer: Ensured load balancer'],
      status: [{ loadBalancer: { ingress: [{ ip: '10.0.3.250', ipMode: 'VIP' }] } }],
      error: undefined,
    });
    expect(await run(loadBalancerProvider(env('azure-tdx').config, 'azure-tdx'), kbsVnet)).toEqual({
      events: ['Warning LoadBalancerPending: nothing in this cluster assigns load-balancer addresses: the kubeadm cluster (azure-tdx) runs no cloud controller manager; the Service stays <pending> and Argo CD reports it Progressing'],
      status: [],
      error: undefined,
    });
  });
});
