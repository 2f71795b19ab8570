// The environment-file rules of provider aks-peer-pods (src/config/rules/peer-pods.ts and the
// provider checks of rules/infrastructure.ts): one line each, naming the field.
import { envProblems, readEnvFile } from './support/repo';
import { loadEnvironment } from '../src/config/load';
import { repoRoot } from './support/tools';
import { peerPodsModel } from '../src/shared/peer-pods';
import { environmentVersions } from '../src/render/environment-versions';
import { VERSIONS } from '../src/shared/versions';

const shipped = readEnvFile('azure-peer-pods');
const F = 'config/environments/broken.yaml';

/** The shipped file with `from` replaced by `to` (the text must occur). */
function edited(from: string, to: string): string {
  if (!shipped.includes(from)) throw new Error(`azure-peer-pods.yaml has no ${from}`);
  return shipped.replace(from, to);
}

/** Problems of the edited file, without the file:line:col prefix. */
function problems(from: string, to: string): string[] {
  return envProblems(edited(from, to)).map((p) => p.replace(/^[^ ]+ /, ''));
}

describe('aks-peer-pods rules', () => {
  it('the shipped environment loads, and the model names the subnet, KBS URL and subjects', () => {
    const env = loadEnvironment(repoRoot(), 'azure-peer-pods');
    const model = peerPodsModel(env.config, env.name);
    expect(model?.podVmSubnetId).toBe('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-coco-peer-pods/providers/Microsoft.Network/virtualNetworks/azure-peer-pods-vnet/subnets/pod-vms');
    expect(model?.kbsUrl).toBe('https://10.0.3.250:8080');
    expect(model?.federatedSubjects).toEqual([
      'system:serviceaccount:confidential-containers-system:cloud-api-adaptor',
      'system:serviceaccount:confidential-containers-system:peerpodctrl-controller-manager',
    ]);
    expect(model?.instanceSizes).toEqual(['Standard_DC2as_v5', 'Standard_DC4as_v5']);
  });

  it('the KBS address lies inside the KBS subnet and is not one Azure reserves', () => {
    expect(problems('kbsAddress: 10.0.3.250', 'kbsAddress: 10.0.4.250')).toEqual(['/infrastructure/peerPods/kbsAddress: expected an address inside network.subnets.kbs 10.0.3.0/24, found string "10.0.4.250"']);
    expect(problems('kbsAddress: 10.0.3.250', 'kbsAddress: 10.0.3.2')).toEqual(['/infrastructure/peerPods/kbsAddress: expected an address Azure does not reserve (not the first four or the last of 10.0.3.0/24), found string "10.0.3.2"']);
    expect(problems('kbsAddress: 10.0.3.250', 'kbsAddress: 10.0.3.255')).toHaveLength(1);
  });

  it('pod VMs are confidential VMs whose attester the KBS accepts; the nodes are not', () => {
    expect(problems('instanceSize: Standard_DC2as_v5', 'instanceSize: Standard_D2s_v5')).toEqual([
      '/infrastructure/peerPods/podVm/instanceSize: expected a confidential VM size (AMD SEV-SNP DCasv5/ECasv5 or Intel TDX DCesv6, e.g. Standard_DC2as_v5), found string "Standard_D2s_v5"',
    ]);
    expect(problems('instanceSizes: [Standard_DC4as_v5]', 'instanceSizes: [Standard_DC4es_v6]')).toEqual(['/kbs/attestation/tees: expected a list with az-tdx-vtpm (pod VMs of size Standard_DC4es_v6 attest with it), found a list (1 item)']);
    expect(problems('vmSize: Standard_D4s_v5', 'vmSize: Standard_DC4as_v5')).toEqual([
      '/infrastructure/peerPods/nodePool/vmSize: expected a regular VM size such as Standard_D4s_v5 (pods run in their own confidential VMs, not on the node), found string "Standard_DC4as_v5"',
    ]);
  });

  it('the pod-VM image is an exact gallery version', () => {
    expect(problems('versions/0.22.0', 'versions/latest')).toEqual([expect.stringMatching(/^\/infrastructure\/peerPods\/podVm\/imageId: expected an exact image version \(a pod VM must boot the image its measurements were taken from\), found string "\/subscriptions\//)]);
    expect(problems('imageId: /subscriptions/', 'imageId: /images/')).toHaveLength(1);
  });

  it('kata-remote is the one runtime class; the KBS is on, node guest components off', () => {
    expect(problems('    - kata-remote\n', '    - kata-remote\n    - kata-qemu-snp\n')).toContain('/runtime/runtimeClasses: expected exactly [kata-remote] with runtime.enabled (provider aks-peer-pods runs every confidential pod as a peer-pod VM), found a list (2 items)');
    expect(problems('guestComponents:\n  enabled: false', 'guestComponents:\n  enabled: true')).toContain('/guestComponents/enabled: expected false (AKS nodes are not reconfigured; pod VMs bring their own guest components), found boolean true');
  });

  it('the section belongs to its provider, and production needs authorized API server ranges', () => {
    expect(problems('provider: aks-peer-pods', 'provider: aks-cvm')).toEqual(
      expect.arrayContaining(['/infrastructure/aks: expected a mapping (required for provider aks-cvm), found nothing', expect.stringMatching(/^\/infrastructure\/peerPods: expected no peerPods section \(provider is aks-cvm\)/)]),
    );
    expect(problems('    adminSourceCidrs:\n      - 203.0.113.0/24\n', '')).toEqual(['/infrastructure/network/adminSourceCidrs: expected at least one CIDR (profile production limits the AKS API server to authorized IP ranges), found a list (0 items)']);
  });

  it('the region must offer the pod VM family', () => {
    expect(problems('location: westeurope ', 'location: westus3 ')).toEqual([expect.stringMatching(/^\/infrastructure\/location: expected a region that offers AMD SEV-SNP DCasv5/)]);
  });

  it('errors carry the file name', () => {
    expect(envProblems(edited('kbsAddress: 10.0.3.250', 'kbsAddress: 10.0.9.1'))[0]).toMatch(new RegExp(`^${F}:\\d+:\\d+: `));
  });

  it('versions.json and POSTURE.md list the peerpods and cert-manager charts with their upstream support', () => {
    const env = loadEnvironment(repoRoot(), 'azure-peer-pods');
    const versions = environmentVersions(env.config);
    const byVersion = (version: string) => versions.find((v) => v.version === version);
    expect(byVersion(VERSIONS.peerpodsChart)).toMatchObject({ support: expect.stringContaining('CAA v0.22.0') });
    expect(byVersion(VERSIONS.certManagerChart)).toMatchObject({ support: expect.stringContaining('until 1.23.0 is released') });
    expect(versions.filter((v) => v.warning !== undefined)).toEqual([]);
    // Only the peer-pods provider pins these charts.
    expect(environmentVersions(loadEnvironment(repoRoot(), 'aks-cvm').config).map((v) => v.version)).not.toContain(VERSIONS.peerpodsChart);
  });

  it('az-snp-vtpm reference values name vTPM PCRs', () => {
    const withMeasurement = (claim: string) =>
      edited('    acceptUnmeasured:\n', `    measurements:\n      - tee: az-snp-vtpm\n        claim: ${claim}\n        values: [${'ab'.repeat(32)}]\n    acceptUnmeasuredX:\n`).replace(/    acceptUnmeasuredX:\n      reason: .*\n/, '');
    expect(envProblems(withMeasurement('tpm.pcr04'))).toEqual([]);
    expect(envProblems(withMeasurement('measurement')).map((p) => p.replace(/^[^ ]+ /, ''))).toEqual([
      '/kbs/attestation/measurements/0/claim: expected a vTPM PCR claim tpm.pcr00 ... tpm.pcr23 (the az-snp-vtpm verifier reports the SNP measurement in base64), found string "measurement"',
    ]);
  });
});
