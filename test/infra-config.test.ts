// Config rules of the infrastructure section: every problem names the JSON path, the expectation
// and the value found.
import { aksData, problems, set, tdxData } from './infra-support';

describe('azure-tdx infrastructure config', () => {
  it('the shipped layout has no problems', () => {
    expect(problems(tdxData())).toEqual([]);
  });

  it('refuses a VM size outside the Intel TDX families', () => {
    expect(problems(set(tdxData(), 'infrastructure/tdx/workers/vmSize', 'Standard_D4s_v5'))).toEqual([
      expect.stringMatching(/^\/infrastructure\/tdx\/workers\/vmSize: expected an Intel TDX confidential VM size .*found string "Standard_D4s_v5"$/),
    ]);
    // AMD SEV-SNP is confidential but not TDX: the seed-000 guest components attest with the TDX vTPM.
    expect(problems(set(tdxData(), 'infrastructure/tdx/kbsNode/vmSize', 'Standard_DC2as_v5'))).toEqual([expect.stringContaining('/infrastructure/tdx/kbsNode/vmSize: expected an Intel TDX')]);
    expect(problems(set(tdxData(), 'infrastructure/tdx/controlPlane/vmSize', 'Standard_DC4es_v6'))).toEqual([]);
  });

  it('refuses bad and overlapping CIDRs', () => {
    expect(problems(set(tdxData(), 'infrastructure/network/vnetCidr', '10.0.0.0/33'))).toEqual([expect.stringContaining('/infrastructure/network/vnetCidr: expected an IPv4 CIDR')]);
    expect(problems(set(tdxData(), 'infrastructure/network/subnets/kbs', '10.0.1.0/24'))).toEqual([
      // Subnets are checked in the provider's order (controlPlane, worker, kbs): the later one is reported.
      '/infrastructure/network/subnets/kbs: expected a range not overlapping controlPlane (10.0.1.0/24), found string "10.0.1.0/24"',
    ]);
    expect(problems(set(tdxData(), 'infrastructure/network/podCidr', '10.0.128.0/17'))).toEqual([expect.stringContaining('/infrastructure/network/podCidr: expected a range outside vnetCidr 10.0.0.0/16')]);
    expect(problems(set(tdxData(), 'infrastructure/network/adminSourceCidrs', ['203.0.113.7/24']))).toEqual([
      '/infrastructure/network/adminSourceCidrs/0: expected a network address with no host bits set, found string "203.0.113.7/24"',
    ]);
    expect(problems(set(tdxData(), 'infrastructure/network/adminSourceCidrs', ['my-office']))).toEqual([expect.stringContaining('/infrastructure/network/adminSourceCidrs/0: expected an IPv4 CIDR')]);
  });

  it('refuses subnets too small for the nodes', () => {
    expect(problems(set(set(tdxData(), 'infrastructure/network/subnets/worker', '10.0.2.0/29'), 'infrastructure/tdx/workers/count', 4))).toEqual([
      '/infrastructure/network/subnets/worker: expected a subnet with room for 4 VMs (Azure reserves 5 addresses), found string "10.0.2.0/29"',
    ]);
    expect(problems(set(tdxData(), 'infrastructure/network/subnets/kbs', '10.0.3.0/30'))).toEqual([expect.stringContaining("/infrastructure/network/subnets/kbs: expected a subnet of /29 or larger (Azure's smallest subnet)")]);
  });

  it('refuses Internet admin sources in production, and without the dev switch', () => {
    for (const source of ['*', 'Internet', '0.0.0.0/0']) {
      expect(problems(set(tdxData(), 'infrastructure/network/adminSourceCidrs', [source]))).toEqual([expect.stringContaining('/infrastructure/network/adminSourceCidrs/0: expected a specific CIDR')]);
    }
    const prodWithSwitch = set(set(tdxData(), 'infrastructure/network/adminSourceCidrs', ['*']), 'devSwitches/allowAdminIngressFromInternet', true);
    expect(problems(prodWithSwitch)).toEqual([expect.stringContaining('/devSwitches/allowAdminIngressFromInternet: expected false (profile production refuses dev switches)')]);
    const dev = set(set(prodWithSwitch, 'profile', 'dev'), 'infrastructure/tdx/image/version', 'latest');
    expect(problems(dev)).toEqual([]);
  });

  it('supports one control plane only, with a reason', () => {
    expect(problems(set(tdxData(), 'infrastructure/tdx/controlPlane/count', 3))).toEqual([
      '/infrastructure/tdx/controlPlane/count: expected 1 (an HA control plane needs a load balancer in front of the API servers, not rendered yet), found number 3',
    ]);
  });

  it('installs only node binaries with a pinned checksum', () => {
    expect(problems(set(tdxData(), 'infrastructure/tdx/versions/containerd', '2.3.2'))).toEqual([
      '/infrastructure/tdx/versions/containerd: expected a containerd version with a pinned sha256 in src/shared/versions.ts (2.3.4, 2.3.3, 2.2.7), found string "2.3.2"',
    ]);
    expect(problems(set(tdxData(), 'infrastructure/tdx/versions/containerd', '2.3.3'))).toEqual([]);
    expect(problems(set(tdxData(), 'infrastructure/tdx/versions/runc', '1.4.2'))).toEqual([expect.stringContaining('/infrastructure/tdx/versions/runc: expected a runc version with a pinned sha256')]);
  });

  it('refuses a containerd older than Kubernetes 1.36 supports', () => {
    expect(problems(set(tdxData(), 'infrastructure/tdx/versions/containerd', '2.1.7'))).toEqual([
      '/infrastructure/tdx/versions/containerd: expected containerd 2.2 or later (Kubernetes 1.36 needs it), found string "2.1.7"',
    ]);
  });

  it('refuses containerd releases that cannot decrypt images on the node through the CRI client pull path', () => {
    for (const version of ['1.7.30', '2.0.7', '2.1.6', '2.2.1']) {
      expect(problems(set(tdxData(), 'infrastructure/tdx/versions/containerd', version))).toEqual([
        expect.stringMatching(/^\/infrastructure\/tdx\/versions\/containerd: expected containerd 2\.1\.7\+, 2\.2\.2\+ or 2\.3\.x .*found string "/),
      ]);
    }
  });

  it('needs the join-token Key Vault, with a valid name', () => {
    const data = tdxData();
    delete (data.infrastructure as { tdx: Record<string, unknown> }).tdx.keyVaultName;
    expect(problems(data)).toEqual(['/infrastructure/tdx/keyVaultName: expected required key "keyVaultName", found nothing']);
    expect(problems(set(tdxData(), 'infrastructure/tdx/keyVaultName', 'kv--double'))).toEqual([expect.stringContaining('/infrastructure/tdx/keyVaultName: expected 3-24 letters, digits and single "-"')]);
    expect(problems(set(tdxData(), 'infrastructure/tdx/joinTokenTtl', '2d'))).toEqual([expect.stringContaining('/infrastructure/tdx/joinTokenTtl: expected a duration between 1m and 24h')]);
  });

  it('refuses an SSH key given twice or not at all', () => {
    expect(problems(set(tdxData(), 'infrastructure/tdx/sshPublicKey', { path: '~/.ssh/id.pub', value: 'ssh-ed25519 AAAAC3Nza me' }))).toEqual([
      expect.stringContaining('/infrastructure/tdx/sshPublicKey: expected exactly one of "path" or "value"'),
    ]);
    expect(problems(set(tdxData(), 'infrastructure/tdx/sshPublicKey', { value: '-----BEGIN OPENSSH PRIVATE KEY-----' }))).toEqual([expect.stringContaining('/infrastructure/tdx/sshPublicKey/value: expected an OpenSSH public key line')]);
  });
});

describe('aks-cvm infrastructure config', () => {
  it('the shipped layout has no problems', () => {
    expect(problems(aksData())).toEqual([]);
  });

  it('refuses a non-confidential node pool size', () => {
    expect(problems(set(aksData(), 'infrastructure/aks/confidentialPool/vmSize', 'Standard_D2s_v5'))).toEqual([expect.stringContaining('/infrastructure/aks/confidentialPool/vmSize: expected a confidential VM size')]);
  });

  it('refuses OS SKUs AKS has no CVM image for', () => {
    expect(problems(set(aksData(), 'infrastructure/aks/confidentialPool/osSku', 'Ubuntu2204'))).toEqual([expect.stringContaining('/infrastructure/aks/confidentialPool/osSku: expected one of "Ubuntu", "Ubuntu2404", "AzureLinux"')]);
    expect(problems(set(aksData(), 'infrastructure/aks/confidentialPool/osSku', 'Ubuntu2404'))).toEqual([
      '/infrastructure/aks/confidentialPool/osSku: expected Ubuntu (the Ubuntu 24.04 CVM image from Kubernetes 1.34) or AzureLinux: the pinned azurerm provider 4.55.0 does not know Ubuntu2404, found string "Ubuntu2404"',
    ]);
  });

  it('keeps the AKS version on the Kubernetes API the manifests are validated against', () => {
    expect(problems(set(aksData(), 'infrastructure/aks/kubernetesVersion', '1.36.2'))).toEqual([]);
    expect(problems(set(aksData(), 'infrastructure/aks/kubernetesVersion', '1.35'))).toEqual([
      '/infrastructure/aks/kubernetesVersion: expected a 1.36 version (kubernetesVersion is 1.36: the manifests are validated against it), found string "1.35"',
    ]);
  });

  it('refuses bad attestation provider names', () => {
    expect(problems(set(aksData(), 'infrastructure/aks/attestationProviderName', 'Coco-MAA'))).toEqual([expect.stringContaining('/infrastructure/aks/attestationProviderName: expected 3-24 lowercase letters and digits')]);
  });

  it('production needs authorized IP ranges for the API server', () => {
    expect(problems(set(aksData(), 'infrastructure/network/adminSourceCidrs', []))).toEqual([
      '/infrastructure/network/adminSourceCidrs: expected at least one CIDR (profile production limits the AKS API server to authorized IP ranges), found a list (0 items)',
    ]);
    expect(problems(set(set(aksData(), 'infrastructure/network/adminSourceCidrs', []), 'profile', 'dev'))).toEqual([]);
  });
});
