// Every shipped environment brought up on a real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler from the tools cache) with kwok nodes shaped like its
// infrastructure, synced in Argo CD's order (src/simulate, docs/simulation.md). The broken
// environments are in simulate-broken.test.ts (jest runs the two files in parallel).
import { listEnvironments } from '../src/config/load';
import { env, result, simulate } from './support/simulations';
import { repoRoot } from './support/tools';

const shipped = listEnvironments(repoRoot());

beforeAll(() => {
  for (const name of shipped) simulate(name, () => env(name));
  // A dev copy of aks-cvm with the seed 004 MAA Job (privileged, the node's vTPM).
  simulate('aks-cvm-maa', () =>
    env('aks-cvm', (c) => {
      c.profile = 'dev';
      c.devSwitches.enableMaaAttestationDemo = true;
    }),
  );
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

