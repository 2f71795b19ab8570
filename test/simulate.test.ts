// Every shipped environment brought up on a real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler from the tools cache) with kwok nodes shaped like its
// infrastructure, synced in Argo CD's order (src/simulate, docs/simulation.md). The broken
// environments are in simulate-broken.test.ts (jest runs the two files in parallel).
import { listEnvironments } from '../src/config/load';
import { controlPlaneLog, controlPlanes, env, result, simulate } from './support/simulations';
import { SHIPPED_ENVIRONMENTS } from './support/shipped';
import { repoRoot } from './support/tools';

const shipped = listEnvironments(repoRoot());

/** What the azure-peer-pods run leaves in the cluster: each node's kata.peerpods.io/vm, the kata-remote pods' requests, the LoadBalancer addresses. */
const peerPods = {
  podVms: new Map<string, { worker: boolean; podVms?: string }>(),
  loadBalancers: new Map<string, string | undefined>(),
  kataRemotePods: [] as { node: string; requests: unknown }[],
};

beforeAll(() => {
  for (const name of shipped) {
    simulate(name, () => env(name), {
      afterSync:
        name === 'azure-peer-pods'
          ? async (client) => {
              for (const n of await client.list('v1', 'Node')) {
                const podVms = (n.status?.allocatable as Record<string, string> | undefined)?.['kata.peerpods.io/vm'];
                peerPods.podVms.set(n.metadata.name, { worker: n.metadata.labels?.['node.kubernetes.io/worker'] === '', ...(podVms === undefined ? {} : { podVms }) });
              }
              for (const p of (await client.list('v1', 'Pod')).filter((x) => x.spec?.runtimeClassName === 'kata-remote')) {
                const containers = p.spec?.containers as { resources?: { requests?: unknown } }[];
                peerPods.kataRemotePods.push({ node: String(p.spec?.nodeName), requests: containers[0].resources?.requests });
              }
              for (const s of (await client.list('v1', 'Service')).filter((x) => x.spec?.type === 'LoadBalancer')) {
                peerPods.loadBalancers.set(`${s.metadata.namespace}/${s.metadata.name}`, (s.status?.loadBalancer as { ingress?: { ip: string }[] } | undefined)?.ingress?.[0]?.ip);
              }
            }
          : undefined,
    });
  }
  // A dev copy of aks-cvm with the seed 004 MAA Job (privileged, the node's vTPM).
  simulate('aks-cvm-maa', () =>
    env('aks-cvm', (c) => {
      c.profile = 'dev';
      c.devSwitches.enableMaaAttestationDemo = true;
    }),
  );
});


describe('shipped environments come up', () => {
  it('every shipped environment is simulated', () => {
    expect(shipped).toEqual([...SHIPPED_ENVIRONMENTS]);
  });

  it.each(shipped)('%s: every workload available, job complete, claim bound, handler present, reference resolved', async (name) => {
    const r = await result(name);
    expect({ environment: name, failures: r.failures }).toEqual({ environment: name, failures: [] });
    expect(r.nodes).toBeGreaterThan(0);
  });
});

it('the simulations shared control planes, each reset to its baseline in between', async () => {
  await Promise.all([...shipped, 'aks-cvm-maa'].map((k) => result(k)));
  expect(controlPlanes.counts.reused).toBeGreaterThan(0);
  expect(controlPlanes.counts.discarded).toBe(0);
  expect(controlPlaneLog).toEqual([]);
});

it('aks-cvm dev copy: the privileged MAA attestation Job completes on the confidential pool too', async () => {
  const r = await result('aks-cvm-maa');
  expect(r.failures).toEqual([]);
  expect(r.synced).toEqual(expect.arrayContaining(['Job coco-demo-maa-attestation/maa-attestation', 'Job coco-demo/key-release-identity']));
  expect((await result('aks-cvm')).synced).not.toContain('Job coco-demo-maa-attestation/maa-attestation');
});

it('azure-peer-pods: CAA advertises pod VMs on the worker pool only, the webhook makes kata-remote pods ask for one, the KBS internal load balancer gets its fixed address', async () => {
  const r = await result('azure-peer-pods');
  expect(r.failures).toEqual([]);
  // The real cert-manager chart (CRDs included) and the peerpods stand-in were synced.
  expect(r.synced).toEqual(expect.arrayContaining(['CustomResourceDefinition certificates.cert-manager.io', 'Deployment cert-manager/cert-manager-webhook', 'DaemonSet confidential-containers-system/cloud-api-adaptor-daemonset']));
  const nodes = [...peerPods.podVms.values()];
  expect(nodes.filter((n) => n.worker).length).toBeGreaterThan(0);
  expect(nodes.filter((n) => !n.worker).length).toBeGreaterThan(0); // the KBS pool
  // limitPerNode of the environment file, as PEERPODS_LIMIT_PER_NODE.
  for (const n of nodes) expect(n).toEqual(n.worker ? { worker: true, podVms: '10' } : { worker: false });
  // The peer-pods webhook's mutation: one pod VM each, instead of CPU and memory, on a CAA node.
  expect(peerPods.kataRemotePods.length).toBeGreaterThan(0);
  for (const p of peerPods.kataRemotePods) expect({ requests: p.requests, onWorker: peerPods.podVms.get(p.node)?.worker }).toEqual({ requests: { 'kata.peerpods.io/vm': '1' }, onWorker: true });
  expect(Object.fromEntries(peerPods.loadBalancers)).toEqual({ 'coco-tenant/kbs-vnet': '10.0.3.250' });
});
