// Broken environments fail the simulation with the object and the cluster's own reason (a real
// control plane, src/simulate), and what a cluster provides is declared where it can be.
import { loadEnvironment } from '../src/config/load';
import { checkSemantics } from '../src/config/semantic';
import type { EnvironmentConfig } from '../src/config/schema';
import { controlPlaneFor } from '../src/simulate/simulate';
import { controlPlaneLog, controlPlanes, env, failureOf, result, simulate } from './support/simulations';
import { repoRoot } from './support/tools';

const BROKEN = ['missing-storage-class', 'unmatched-node-label', 'daemonset-without-nodes', 'missing-secret'];

beforeAll(() => {
  // azure-tdx as it was: the KBS claim asks for AKS's class, which a kubeadm cluster does not have.
  simulate('missing-storage-class', () =>
    env('azure-tdx', (c) => {
      delete c.kbs.storage.localPath;
      c.kbs.storage.storageClassName = 'managed-csi-premium';
    }),
  );
  // bare-metal whose hosts carry no TEE label (no node-feature-discovery, nothing set by hand).
  simulate('unmatched-node-label', () => env('bare-metal', (c) => c.cluster.nodes.forEach((n) => (n.labels = {}))));
  // azure-tdx whose node installer selects a label no node carries: the DaemonSet has no pod at all.
  simulate('daemonset-without-nodes', () => env('azure-tdx'), {
    mutate: (folders) => {
      for (const objects of folders.values()) {
        for (const o of objects) {
          if (o.kind !== 'DaemonSet') continue;
          const pod = (o.spec as { template: { spec: { nodeSelector?: Record<string, string> } } }).template.spec;
          pod.nodeSelector = { 'coco.azure/guest-components': 'nowhere' };
        }
      }
    },
  });
  // coco-dev whose operator never created the admin public key Secret.
  simulate('missing-secret', () => env('coco-dev'), {
    afterOperator: async (client) => {
      const secret = await client.get('v1', 'Secret', 'kbs-admin-public-key', 'coco-tenant');
      if (!secret) throw new Error('the documented commands did not create kbs-admin-public-key');
      await client.delete(secret);
    },
  });
});

describe('broken environments fail with the object and the reason', () => {
  it('a claim of a StorageClass the cluster does not have: the PVC and the KBS pod stay Pending', async () => {
    expect((await result('missing-storage-class')).ok).toBe(false);
    expect(await failureOf('missing-storage-class', 'PersistentVolumeClaim coco-tenant/kbs-state')).toContain('storageclass.storage.k8s.io "managed-csi-premium" not found');
    expect(await failureOf('missing-storage-class', 'Deployment coco-tenant/kbs')).toMatch(/0\/3 nodes are available: pod has unbound immediate PersistentVolumeClaims/);
  });

  it('a node label no node carries: the scheduler says which nodes did not match', async () => {
    const reasons = await failureOf('unmatched-node-label', 'Deployment coco-demo-confidential-app/confidential-app');
    expect(reasons).toMatch(/FailedScheduling: 0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector/);
  });

  it('a DaemonSet no node matches: Argo CD calls it healthy, the simulation does not', async () => {
    expect(await failureOf('daemonset-without-nodes', 'DaemonSet coco-guest-components/guest-components-installer')).toBe('0 desired pods: no node matches its nodeSelector, affinity and tolerations');
  });

  it('a Secret the operator did not create: the kubelet cannot mount it', async () => {
    expect(await failureOf('missing-secret', 'Deployment coco-tenant/kbs')).toContain('kubelet: MountVolume.SetUp failed for volume "admin-key" : secret "kbs-admin-public-key" not found');
  });

  it('a KBS resource a workload fetches but the KBS does not provision: the config rules refuse it', () => {
    const config = structuredClone(loadEnvironment(repoRoot(), 'bare-metal').config);
    config.kbs.resources = config.kbs.resources.filter((r) => r.path !== 'default/app/api-credentials');
    const problems = checkSemantics(config).map((p) => `${p.path}: ${p.expected}, found ${p.found}`);
    expect(problems).toEqual([expect.stringMatching(/^\/workloads\/confidentialApp\/resourcePaths\/1: a KBS resource listed in kbs.resources .*found string "default\/app\/api-credentials"$/)]);
  });
});

describe('what a cluster provides is declared where it can be', () => {
  const problems = (name: string, change: (c: EnvironmentConfig) => void) => {
    const config = structuredClone(loadEnvironment(repoRoot(), name).config);
    change(config);
    return checkSemantics(config).map((p) => `${p.path}: ${p.expected}`);
  };

  it('Azure providers derive nodes and storage from infrastructure: a cluster section is refused', () => {
    expect(problems('azure-tdx', (c) => (c.cluster.nodes[0].labels = { 'intel.feature.node.kubernetes.io/tdx': 'true' }))).toEqual([
      expect.stringMatching(/^\/cluster: nothing \(infrastructure.provider azure-tdx derives the nodes and StorageClasses from infrastructure\)$/),
    ]);
  });

  it('a bring-your-own cluster has at most one default StorageClass', () => {
    expect(problems('coco-dev', (c) => c.cluster.storageClasses.push({ name: 'fast', provisioner: 'example.com/fast', default: true, volumeBindingMode: 'Immediate' }))).toEqual([
      expect.stringMatching(/^\/cluster\/storageClasses\/1\/default: false \(at most one default StorageClass/),
    ]);
  });

  it('the seed 004 demo needs aks-cvm, and its MAA Job the demo', () => {
    expect(problems('coco-dev', (c) => (c.workloads.attestationDemo.enabled = true))).toEqual([expect.stringMatching(/^\/workloads\/attestationDemo\/enabled: false, or infrastructure.provider aks-cvm/)]);
    expect(problems('coco-dev', (c) => (c.devSwitches.enableMaaAttestationDemo = true))).toEqual([expect.stringMatching(/^\/devSwitches\/enableMaaAttestationDemo: false, or workloads.attestationDemo.enabled: true$/)]);
  });
});

describe('a control plane reused for the next simulation', () => {
  it('is back at its baseline after anything a run leaves behind; one whose baseline objects changed is not reused', async () => {
    await Promise.all(BROKEN.map((k) => result(k)));
    const { options, platformCrds } = controlPlaneFor(env('azure-tdx'));
    const before = { ...controlPlanes.counts };
    // The simulations of this file shared control planes, and none had to be thrown away.
    expect(before.reused).toBeGreaterThan(0);
    expect(before.discarded).toBe(0);
    const cp = await controlPlanes.acquire(options, platformCrds);
    expect(controlPlanes.counts.reused).toBe(before.reused + 1);
    const c = cp.client;
    // What a run leaves: a namespace with a workload, an Argo CD Application with its finalizer (no
    // Argo CD removes it here), another CRD with a resource, cluster-scoped objects, a node, a pod in default.
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leftover' } });
    await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'left', namespace: 'leftover' }, data: { a: 'b' } });
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    await c.apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'left', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' }, source: { repoURL: 'https://example.invalid/x.git', path: '.' } } });
    await c.apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'left' }, provisioner: 'example.com/none' });
    await c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'left-node', annotations: { 'kwok.x-k8s.io/node': 'fake' } } });
    await c.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'left', namespace: 'default' }, spec: { nodeName: 'left-node', containers: [{ name: 'c', image: 'registry.example/c:1' }] } });
    await controlPlanes.release(cp);
    expect(controlPlanes.counts.discarded).toBe(before.discarded);

    const again = await controlPlanes.acquire(options, platformCrds);
    expect(controlPlanes.counts.reused).toBe(before.reused + 2);
    expect(await again.client.get('v1', 'Namespace', 'leftover')).toBeUndefined();
    expect(await again.client.get('v1', 'Node', 'left-node')).toBeUndefined();
    expect(await again.client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'applications.argoproj.io')).toBeDefined();
    // A changed baseline object cannot be put back by deleting: that control plane is stopped.
    await again.client.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, { metadata: { labels: { changed: 'by-a-run' } } });
    await controlPlanes.release(again);
    expect(controlPlanes.counts.discarded).toBe(before.discarded + 1);
    expect(controlPlaneLog).toEqual(['control plane not reused: not back at its baseline: ~ v1 Namespace /default']);
  });
});
