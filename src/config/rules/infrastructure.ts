/** Rules for `infrastructure`: provider sections, Azure names, network layout and confidential VM families. */
import type { EnvironmentConfig } from '../schema';
import { contains, INTERNET_SOURCES, isNetworkAddress, overlaps, parseCidr, usableHosts, type Cidr } from '../../shared/network';
import { isConfidentialSize, isIntelTdxSize } from '../../shared/vm-sizes';
import type { Report } from './report';
import { checkRegion } from './azure-region';
import { checkTags } from './azure-tags';
import { checkPeerPods } from './peer-pods';

export function checkInfrastructure(env: EnvironmentConfig, report: Report): void {
  const infra = env.infrastructure;
  const azure = infra.provider !== 'none';
  if (azure) {
    if (infra.location === undefined) report('/infrastructure/location', `an Azure region (required for provider ${infra.provider})`, undefined);
    if (infra.resourceGroup === undefined) report('/infrastructure/resourceGroup', `a resource group name (required for provider ${infra.provider})`, undefined);
    checkBackend(env, report);
    checkRegion(env, report);
  }
  checkTags(env, report);
  const wantTdx = infra.provider === 'azure-tdx';
  const wantAks = infra.provider === 'aks-cvm';
  if (wantTdx && infra.tdx === undefined) report('/infrastructure/tdx', 'a mapping (required for provider azure-tdx)', undefined);
  if (!wantTdx && infra.tdx !== undefined) report('/infrastructure/tdx', `no tdx section (provider is ${infra.provider})`, infra.tdx);
  if (wantAks && infra.aks === undefined) report('/infrastructure/aks', 'a mapping (required for provider aks-cvm)', undefined);
  if (!wantAks && infra.aks !== undefined) report('/infrastructure/aks', `no aks section (provider is ${infra.provider})`, infra.aks);
  const wantPeerPods = infra.provider === 'aks-peer-pods';
  if (wantPeerPods && infra.peerPods === undefined) report('/infrastructure/peerPods', 'a mapping (required for provider aks-peer-pods)', undefined);
  if (!wantPeerPods && infra.peerPods !== undefined) report('/infrastructure/peerPods', `no peerPods section (provider is ${infra.provider})`, infra.peerPods);

  if (infra.tdx) {
    const tdx = infra.tdx;
    const key = tdx.sshPublicKey;
    if (key === undefined || (key.path === undefined) === (key.value === undefined)) {
      report('/infrastructure/tdx/sshPublicKey', 'exactly one of "path" or "value"', key);
    }
    const pools = [
      ['controlPlane', tdx.controlPlane.vmSize],
      ['workers', tdx.workers.vmSize],
      ['kbsNode', tdx.kbsNode.vmSize],
    ] as const;
    for (const [pool, vmSize] of pools) {
      if (!isIntelTdxSize(vmSize)) report(`/infrastructure/tdx/${pool}/vmSize`, 'an Intel TDX confidential VM size (DCesv5/DCedsv5/ECesv5/ECedsv5 or v6 family, e.g. Standard_DC2eds_v5)', vmSize);
    }
    if (!tdx.versions.kubernetes.replace(/^v/, '').startsWith(`${env.kubernetesVersion}.`)) {
      report('/infrastructure/tdx/versions/kubernetes', `a ${env.kubernetesVersion}.x version (kubernetesVersion is ${env.kubernetesVersion})`, tdx.versions.kubernetes);
    }
    // containerd, runc and support windows: rules/versions.ts.
    // kubeadm's controlPlaneEndpoint would have to be a load balancer in front of every API server;
    // an Azure internal load balancer cannot hairpin a backend's own traffic, so HA is left out.
    if (tdx.controlPlane.count !== 1) report('/infrastructure/tdx/controlPlane/count', '1 (an HA control plane needs a load balancer in front of the API servers, not rendered yet)', tdx.controlPlane.count);
  }
  if (infra.aks) checkAks(env, report);
  if (infra.peerPods) checkPeerPods(env, report);
  // Only the subnets the provider creates: an unused default must not clash with a custom layout.
  if (wantTdx) checkNetwork(env, report, ['controlPlane', 'worker', 'kbs']);
  if (wantPeerPods) checkNetwork(env, report, ['worker', 'kbs', 'podVms']);
  if (wantTdx || wantAks || wantPeerPods) checkAdminSources(env, report);
  if (env.profile === 'production' && (wantAks || wantPeerPods) && infra.network.adminSourceCidrs.length === 0) {
    // Without authorized IP ranges the AKS API server answers the whole Internet.
    report('/infrastructure/network/adminSourceCidrs', 'at least one CIDR (profile production limits the AKS API server to authorized IP ranges)', []);
  }
}

type SubnetName = keyof EnvironmentConfig['infrastructure']['network']['subnets'];

function checkAks(env: EnvironmentConfig, report: Report): void {
  const aks = env.infrastructure.aks;
  if (!aks) return;
  if (!isConfidentialSize(aks.confidentialPool.vmSize)) {
    report('/infrastructure/aks/confidentialPool/vmSize', 'a confidential VM size (AMD SEV-SNP DCasv5/ECasv5 or Intel TDX DCesv5 family, e.g. Standard_DC2as_v5)', aks.confidentialPool.vmSize);
  }
  if (!`${aks.kubernetesVersion}.`.startsWith(`${env.kubernetesVersion}.`)) {
    report('/infrastructure/aks/kubernetesVersion', `a ${env.kubernetesVersion} version (kubernetesVersion is ${env.kubernetesVersion}: the manifests are validated against it)`, aks.kubernetesVersion);
  }
  if (aks.confidentialPool.osSku === 'Ubuntu2404') {
    // azurerm added Ubuntu2404 to os_sku in 4.67; @cdktf/provider-azurerm is frozen at 4.55.0.
    report('/infrastructure/aks/confidentialPool/osSku', 'Ubuntu (the Ubuntu 24.04 CVM image from Kubernetes 1.34) or AzureLinux: the pinned azurerm provider 4.55.0 does not know Ubuntu2404', aks.confidentialPool.osSku);
  }
}

function checkBackend(env: EnvironmentConfig, report: Report): void {
  const backend = env.infrastructure.backend;
  const fields = ['resourceGroupName', 'storageAccountName', 'containerName', 'key'] as const;
  for (const field of fields) {
    const set = backend[field] !== undefined;
    if (backend.type === 'azurerm' && !set) report(`/infrastructure/backend/${field}`, 'a value (required for the azurerm backend)', undefined);
    if (backend.type === 'local' && set) report(`/infrastructure/backend/${field}`, 'nothing (only used with backend type azurerm)', backend[field]);
  }
}

function checkNetwork(env: EnvironmentConfig, report: Report, used: readonly SubnetName[]): void {
  const net = env.infrastructure.network;
  const parsed = (path: string, text: string): Cidr | undefined => {
    const cidr = parseCidr(text);
    if (cidr && !isNetworkAddress(cidr)) {
      report(path, 'a network address with no host bits set', text);
      return undefined;
    }
    return cidr;
  };
  const vnet = parsed('/infrastructure/network/vnetCidr', net.vnetCidr);
  const subnets = used.map((name) => [name, net.subnets[name]] as const).map(([name, text]) => ({ path: `/infrastructure/network/subnets/${name}`, cidr: parsed(`/infrastructure/network/subnets/${name}`, text) }));
  subnets.forEach((s, i) => {
    if (!s.cidr) return;
    if (vnet && !contains(vnet, s.cidr)) report(s.path, `a range inside vnetCidr ${net.vnetCidr}`, s.cidr.text);
    for (const other of subnets.slice(0, i)) {
      if (other.cidr && overlaps(other.cidr, s.cidr)) report(s.path, `a range not overlapping ${other.path.split('/').pop()} (${other.cidr.text})`, s.cidr.text);
    }
  });
  const pod = parsed('/infrastructure/network/podCidr', net.podCidr);
  const svc = parsed('/infrastructure/network/serviceCidr', net.serviceCidr);
  if (vnet && pod && overlaps(vnet, pod)) report('/infrastructure/network/podCidr', `a range outside vnetCidr ${net.vnetCidr}`, net.podCidr);
  if (vnet && svc && overlaps(vnet, svc)) report('/infrastructure/network/serviceCidr', `a range outside vnetCidr ${net.vnetCidr}`, net.serviceCidr);
  if (pod && svc && overlaps(pod, svc)) report('/infrastructure/network/serviceCidr', `a range outside podCidr ${net.podCidr}`, net.serviceCidr);

  // Nodes get static private IPs from the 5th address on (Azure reserves the first four and the last).
  const tdx = env.infrastructure.tdx;
  if (tdx) {
    const needs = { controlPlane: tdx.controlPlane.count, worker: tdx.workers.count, kbs: tdx.kbsNode.enabled ? 1 : 0 };
    subnets.forEach((s) => {
      const role = s.path.split('/').pop() as keyof typeof needs;
      if (s.cidr && s.cidr.prefix > 29) report(s.path, 'a subnet of /29 or larger (Azure\'s smallest subnet)', s.cidr.text);
      else if (s.cidr && usableHosts(s.cidr) < needs[role]) report(s.path, `a subnet with room for ${needs[role]} VMs (Azure reserves 5 addresses)`, s.cidr.text);
    });
  }
}

function checkAdminSources(env: EnvironmentConfig, report: Report): void {
  const net = env.infrastructure.network;
  net.adminSourceCidrs.forEach((source, i) => {
    const path = `/infrastructure/network/adminSourceCidrs/${i}`;
    if (INTERNET_SOURCES.includes(source)) {
      if (!env.devSwitches.allowAdminIngressFromInternet) report(path, 'a specific CIDR ("*", Internet and 0.0.0.0/0 need devSwitches.allowAdminIngressFromInternet in a dev profile)', source);
    } else {
      const cidr = parseCidr(source);
      if (!cidr) report(path, 'an IPv4 CIDR such as 203.0.113.0/24', source);
      else if (!isNetworkAddress(cidr)) report(path, 'a network address with no host bits set', source);
    }
  });
}
