import { Construct } from 'constructs';
import { KubernetesCluster, type KubernetesClusterNetworkProfile } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { CRITICAL_ADDONS_ONLY_TAINT, type AksPool, type NodeTaint } from '../../shared/cluster-nodes';
import { addressAt, mustParseCidr } from '../../shared/network';
import type { CustomRole } from './custom-role';

/** A taint as AKS's node_taints takes it: `key=value:Effect`. */
export function aksTaint(t: NodeTaint): string {
  return `${t.key}=${t.value}:${t.effect}`;
}

function sameTaint(a: NodeTaint, b: NodeTaint): boolean {
  return a.key === b.key && a.value === b.value && a.effect === b.effect;
}

export interface AksClusterProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name: cluster name prefix and DNS prefix. */
  readonly environment: string;
  /** AKS Kubernetes version (`1.31` or `1.31.x`). */
  readonly kubernetesVersion: string;
  /** Entra ID tenant for Azure RBAC on the cluster. */
  readonly tenantId: string;
  /**
   * The default (system) pool, from the shared node model (src/shared/cluster-nodes.ts aksPools):
   * its labels become node_labels (left out when empty), and CRITICAL_ADDONS_ONLY_TAINT among its
   * taints sets only_critical_addons_enabled; azurerm 4.x takes no other taint on this pool.
   */
  readonly systemPool: AksPool;
  /**
   * Subnet of the system pool (bring-your-own VNet).
   * @default none: AKS creates and manages its own VNet
   */
  readonly systemSubnet?: Subnet;
  /** The user pool of confidential VMs, from the shared node model: labels and taints as they are. */
  readonly confidentialPool: AksPool;
  /**
   * Subnet of the confidential pool.
   * @default none: AKS's own VNet
   */
  readonly confidentialSubnet?: Subnet;
  /**
   * Role with subnets/read and subnets/join/action, assigned to the cluster's identity on each
   * given subnet: AKS joins the node NICs to a bring-your-own subnet, and its cloud provider puts
   * internal load balancer frontends into it, with that identity. Required with a subnet.
   * @default none (no subnet given)
   */
  readonly subnetJoinRole?: CustomRole;
  /** azure: Azure CNI Overlay + Cilium data plane; kubenet; none: bring your own CNI. */
  readonly networkPlugin: 'azure' | 'kubenet' | 'none';
  readonly podCidr: string;
  readonly serviceCidr: string;
  /**
   * API server authorized IP ranges; empty: the API server is public.
   * @default [] (config; production requires at least one CIDR)
   */
  readonly authorizedIpRanges: readonly string[];
  /** Production: Standard tier (uptime SLA) instead of Free. */
  readonly production: boolean;
  readonly tags: Record<string, string>;
}

function networkProfile(p: AksClusterProps): KubernetesClusterNetworkProfile {
  // CoreDNS gets the 10th address of the service range, as in kubeadm and AKS defaults.
  const service = { serviceCidr: p.serviceCidr, dnsServiceIp: addressAt(mustParseCidr(p.serviceCidr), 10) };
  switch (p.networkPlugin) {
    case 'azure':
      // Overlay keeps pods off the VNet; the Cilium data plane enforces NetworkPolicies.
      return { networkPlugin: 'azure', networkPluginMode: 'overlay', networkDataPlane: 'cilium', networkPolicy: 'cilium', podCidr: p.podCidr, loadBalancerSku: 'standard', ...service };
    case 'kubenet':
      return { networkPlugin: 'kubenet', networkPolicy: 'calico', podCidr: p.podCidr, loadBalancerSku: 'standard', ...service };
    case 'none':
      return { networkPlugin: 'none', loadBalancerSku: 'standard', ...service };
  }
}

/**
 * AKS with a system pool on regular VMs and a user pool of confidential VMs: aks-cvm taints the
 * system pool critical-add-ons-only so every workload lands on the confidential pool; aks-peer-pods
 * runs its workloads on the system pool and dedicates the confidential pool to the KBS. Entra ID +
 * Azure RBAC, no local accounts, OIDC issuer and workload identity (the key-release and
 * cloud-api-adaptor identities). The VM size alone makes the pool confidential: azurerm exposes no
 * other switch (and none for AKS's Kata-based "Confidential Containers").
 */
export class AksCluster extends Construct {
  readonly cluster: KubernetesCluster;
  readonly confidentialPool: KubernetesClusterNodePool;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    const system = props.systemPool;
    const cvm = props.confidentialPool;
    if (system.mode !== 'system' || cvm.mode !== 'user') throw new Error(`AksCluster ${id}: expected a system and a user pool, got ${system.mode} pool ${system.name} and ${cvm.mode} pool ${cvm.name}`);
    const otherTaints = system.taints.filter((t) => !sameTaint(t, CRITICAL_ADDONS_ONLY_TAINT));
    if (otherTaints.length > 0) {
      throw new Error(`AksCluster ${id}: system pool ${system.name} can only be tainted ${aksTaint(CRITICAL_ADDONS_ONLY_TAINT)} (only_critical_addons_enabled), got ${otherTaints.map(aksTaint).join(', ')}`);
    }
    const criticalAddonsOnly = system.taints.length > 0;
    if ((props.systemSubnet || props.confidentialSubnet) && !props.subnetJoinRole) throw new Error(`AksCluster ${id}: expected a subnetJoinRole with bring-your-own subnets, got none`);
    this.cluster = new KubernetesCluster(this, 'Cluster', {
      name: `${props.environment}-aks`,
      resourceGroupName: rg.name,
      location: rg.location,
      dnsPrefix: props.environment,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.production ? 'Standard' : 'Free',
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      defaultNodePool: {
        name: system.name,
        vmSize: system.vmSize,
        nodeCount: system.count,
        // AKS taints the pool CriticalAddonsOnly=true:NoSchedule itself when this is set.
        onlyCriticalAddonsEnabled: criticalAddonsOnly,
        ...(Object.keys(system.labels).length > 0 ? { nodeLabels: { ...system.labels } } : {}),
        ...(props.systemSubnet ? { vnetSubnetId: props.systemSubnet.id } : {}),
        temporaryNameForRotation: `${system.name}tmp`,
        upgradeSettings: { maxSurge: '10%' },
      },
      identity: { type: 'SystemAssigned' },
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, tenantId: props.tenantId },
      // Only Entra ID identities: no static admin kubeconfig that bypasses Azure RBAC.
      localAccountDisabled: true,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      networkProfile: networkProfile(props),
      ...(props.authorizedIpRanges.length > 0 ? { apiServerAccessProfile: { authorizedIpRanges: [...props.authorizedIpRanges] } } : {}),
      tags: props.tags,
    });
    this.cluster.overrideLogicalId('aks');
    // The grants exist once the cluster (and so its identity) does: the user pool waits for its own.
    const join = (pool: AksPool, subnet: Subnet | undefined) => (subnet && props.subnetJoinRole ? [props.subnetJoinRole.assign(`aks_${pool.name}_subnet_join`, subnet.id, this.cluster.identity.principalId)] : []);
    join(system, props.systemSubnet);
    const cvmJoin = join(cvm, props.confidentialSubnet);
    this.confidentialPool = new KubernetesClusterNodePool(this, 'ConfidentialPool', {
      name: cvm.name,
      kubernetesClusterId: this.cluster.id,
      mode: 'User',
      vmSize: cvm.vmSize,
      nodeCount: cvm.count,
      // AKS has no CVM image for Ubuntu2204; "Ubuntu" selects its Ubuntu CVM image.
      osSku: cvm.osSku,
      nodeLabels: { ...cvm.labels },
      ...(cvm.taints.length > 0 ? { nodeTaints: cvm.taints.map(aksTaint) } : {}),
      ...(props.confidentialSubnet ? { vnetSubnetId: props.confidentialSubnet.id } : {}),
      temporaryNameForRotation: `${cvm.name}tmp`,
      upgradeSettings: { maxSurge: '10%' },
      tags: props.tags,
      ...(cvmJoin.length > 0 ? { dependsOn: cvmJoin } : {}),
    });
    this.confidentialPool.overrideLogicalId('aks_confidential_pool');
  }
}
