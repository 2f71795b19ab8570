/**
 * Who reaches an AKS cluster and how, shared by both AKS environments (aks-cvm, aks-peer-pods):
 * the API server's authorized IP ranges, the deployer's cluster-admin role, the workload identity
 * audience and the kubeconfig instructions. Helpers, not a construct: each environment keeps its
 * resources at the construct paths (and Terraform addresses) it has always had.
 */
import type { Construct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { INTERNET_SOURCES } from '../../shared/network';

/** Audience of Entra ID workload identity federation. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * The API server's authorized IP ranges from network.adminSourceCidrs. An Internet source (dev
 * switch) means no restriction: AKS takes CIDRs only, and an empty list leaves the server public.
 */
export function aksAuthorizedIpRanges(adminSourceCidrs: readonly string[]): readonly string[] {
  return adminSourceCidrs.some((s) => INTERNET_SOURCES.includes(s)) ? [] : adminSourceCidrs;
}

/**
 * Azure Kubernetes Service RBAC Cluster Admin on the cluster for whoever runs `cdktf deploy`:
 * local accounts are disabled, so without it nobody could apply the Argo CD bootstrap.
 */
export function grantDeployerClusterAdmin(scope: Construct, cluster: KubernetesCluster, deployerObjectId: string): RoleAssignment {
  const admin = new RoleAssignment(scope, 'DeployerClusterAdmin', { scope: cluster.id, roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin', principalId: deployerObjectId });
  admin.overrideLogicalId('deployer_aks_cluster_admin');
  return admin;
}

/** The kubeconfig_instructions output: Entra ID login through kubelogin. */
export function kubeconfigInstructions(resourceGroupName: string, clusterName: string): { readonly value: string; readonly description: string } {
  return {
    value: [`az aks get-credentials --resource-group ${resourceGroupName} --name ${clusterName}`, 'kubelogin convert-kubeconfig -l azurecli', 'kubectl get nodes'].join('\n'),
    description: 'Entra ID login (local accounts are disabled); the deployer holds Azure Kubernetes Service RBAC Cluster Admin.',
  };
}
