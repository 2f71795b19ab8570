// Every shipped environment brought up on a real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler from the tools cache) with kwok nodes shaped like its
// infrastructure, synced in Argo CD's order (src/simulate, docs/simulation.md); and broken
// environments failing with the object and the cluster's own reason. The simulations run two at a
// time, started together in beforeAll; each test awaits its own.
import { listEnvironments, loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import { checkSemantics } from '../src/config/semantic';
import type { EnvironmentConfig } from '../src/config/schema';
import { simulateEnvironment, type SimulateOptions, type SimulationResult } from '../src/simulate/simulate';
import { formatResult } from '../src/simulate/report';
import { repoRoot } from './support/tools';

const CONCURRENCY = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function env(name: string, change?: (c: EnvironmentConfig) => void): LoadedEnvironment {
  const loaded = loadEnvironment(repoRoot(), name);
  if (!change) return loaded;
  const config = structuredClone(loaded.config);
  change(config);
  return { ...loaded, config };
}

const runs = new Map<string, Promise<SimulationResult>>();
function simulate(key: string, make: () => LoadedEnvironment, opts: SimulateOptions = {}): void {
  const p = limited(() => simulateEnvironment(make(), opts));
  // Awaited by its test; a rejection must not surface as unhandled before that.
  p.catch(() => undefined);
  runs.set(key, p);
}
const result = (key: string) => runs.get(key) as Promise<SimulationResult>;

/** The failure for `object`, with every reason line joined (what a reader of the report sees). */
async function failureOf(key: string, object: string): Promise<string> {
  const r = await result(key);
  const f = r.failures.find((x) => x.object === object);
  if (!f) throw new Error(`no failure for ${object}:\n${formatResult(r)}`);
  return f.reasons.join('\n');
}

const shipped = listEnvironments(repoRoot());

beforeAll(() => {
  for (const name of shipped) simulate(name, () => env(name));
  // azure-tdx as it was: the KBS claim asks for AKS's class, which a kubeadm cluster does not have.
  simulate('missing-storage-class', () =>
    env('azure-tdx', (c) => {
      delete c.kbs.storage.localPath;
      c.kbs.storage.storageClassName = 'managed-csi-premium';
    }),
  );
  // bare-metal whose hosts carry no TEE label (no node-feature-discovery, nothing set by hand).
  simulate('unmatched-node-label', () => env('bare-metal', (c) => c.cluster.nodes.forEach((n) => (n.labels = {}))));
  // A dev copy of aks-cvm with the seed 004 MAA Job (privileged, the node's vTPM).
  simulate('aks-cvm-maa', () =>
    env('aks-cvm', (c) => {
      c.profile = 'dev';
      c.devSwitches.enableMaaAttestationDemo = true;
    }),
  );
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

describe('shipped environments come up', () => {
  it('there are five', () => {
    expect(shipped).toEqual(['aks-cvm', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev']);
  });

  it.each(shipped)('%s: every workload available, job complete, claim bound, handler present, reference resolved', async (name) => {
    const r = await result(name);
    expect({ environment: name, failures: r.failures }).toEqual({ environment: name, failures: [] });
    expect(r.nodes).toBeGreaterThan(0);
  });
});

it('aks-cvm dev copy: the privileged MAA attestation Job completes on the confidential pool too', async () => {
  const r = await result('aks-cvm-maa');
  expect(r.failures).toEqual([]);
  expect(r.synced).toEqual(expect.arrayContaining(['Job coco-demo-maa-attestation/maa-attestation', 'Job coco-demo/key-release-identity']));
  expect((await result('aks-cvm')).synced).not.toContain('Job coco-demo-maa-attestation/maa-attestation');
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
