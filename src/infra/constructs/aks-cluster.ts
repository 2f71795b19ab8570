import { Construct } from 'constructs';
import { KubernetesCluster, type KubernetesClusterNetworkProfile } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { addressAt, mustParseCidr } from '../../shared/network';
import { AKS_CONFIDENTIAL_NODE_LABEL } from '../../shared/node-roles';

export interface AksClusterProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name: cluster name prefix and DNS prefix. */
  readonly environment: string;
  /** AKS Kubernetes version (`1.31` or `1.31.x`). */
  readonly kubernetesVersion: string;
  /** Entra ID tenant for Azure RBAC on the cluster. */
  readonly tenantId: string;
  readonly systemPool: { readonly count: number; readonly vmSize: string };
  readonly confidentialPool: { readonly count: number; readonly vmSize: string; readonly osSku: 'Ubuntu' | 'Ubuntu2404' | 'AzureLinux' };
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
 * AKS with a system pool on regular VMs (critical add-ons only) and a user pool of confidential
 * VMs where every workload lands. Entra ID + Azure RBAC, no local accounts, OIDC issuer and
 * workload identity for the key-release identity. The VM size alone makes the pool confidential:
 * azurerm exposes no other switch (and none for AKS's Kata-based "Confidential Containers").
 */
export class AksCluster extends Construct {
  readonly cluster: KubernetesCluster;
  readonly confidentialPool: KubernetesClusterNodePool;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const rg = props.resourceGroup;
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
        name: 'system',
        vmSize: props.systemPool.vmSize,
        nodeCount: props.systemPool.count,
        // Taints the pool CriticalAddonsOnly: application pods go to the confidential pool.
        onlyCriticalAddonsEnabled: true,
        temporaryNameForRotation: 'systemtmp',
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
    this.confidentialPool = new KubernetesClusterNodePool(this, 'ConfidentialPool', {
      name: 'cvm',
      kubernetesClusterId: this.cluster.id,
      mode: 'User',
      vmSize: props.confidentialPool.vmSize,
      nodeCount: props.confidentialPool.count,
      // AKS has no CVM image for Ubuntu2204; "Ubuntu" selects its Ubuntu CVM image.
      osSku: props.confidentialPool.osSku,
      nodeLabels: { [AKS_CONFIDENTIAL_NODE_LABEL.key]: AKS_CONFIDENTIAL_NODE_LABEL.value },
      temporaryNameForRotation: 'cvmtmp',
      upgradeSettings: { maxSurge: '10%' },
      tags: props.tags,
    });
    this.confidentialPool.overrideLogicalId('aks_confidential_pool');
  }
}
