import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { InfrastructureConfig } from '../../config/schema';
import { aksPools } from '../../shared/cluster-nodes';
import { aksAuthorizedIpRanges, grantDeployerClusterAdmin, kubeconfigInstructions, TOKEN_EXCHANGE_AUDIENCE } from './aks-access';
import { AksCluster } from './aks-cluster';
import { MaaProvider } from './attestation-provider';
import { RbacKeyVault } from './key-vault';

export interface AksEnvironmentProps {
  readonly resourceGroup: ResourceGroup;
  readonly environment: string;
  /** The infrastructure section (provider aks-cvm): `aks`, `network`, and the node pools of its shared node model (aksPools). */
  readonly infrastructure: InfrastructureConfig;
  /** Namespace of the workloads component (the key-release ServiceAccount lives there). */
  readonly workloadsNamespace: string;
  /** Tenant and object ID of whoever runs `cdktf deploy` (azurerm client config). */
  readonly tenantId: string;
  readonly deployerObjectId: string;
  readonly production: boolean;
  readonly tags: Record<string, string>;
}

/**
 * Seed 004: AKS with a confidential node pool, a Microsoft Azure Attestation provider, and a Key
 * Vault for keys released against an attestation token. Role assignments, least privilege:
 * - the key-release identity (federated with one ServiceAccount): Crypto Service Release User;
 * - the deployer: Crypto Officer (creates the key and its release policy, which azurerm cannot
 *   set: hashicorp/terraform-provider-azurerm#25054) and AKS RBAC Cluster Admin;
 * - the cluster and kubelet identities: nothing on the vault.
 */
export class AksEnvironment extends Construct {
  constructor(scope: Construct, id: string, props: AksEnvironmentProps) {
    super(scope, id);
    const { environment, tags } = props;
    const { aks, network } = props.infrastructure;
    if (aks === undefined) throw new Error(`AksEnvironment ${environment}: expected infrastructure.aks, got none`);
    const rg = props.resourceGroup;
    // Labels and taints of the pools come from the node model the simulation uses too.
    const [systemPool, confidentialPool] = aksPools(props.infrastructure);
    if (systemPool === undefined || confidentialPool === undefined) throw new Error(`AksEnvironment ${environment}: the node model has no aks-cvm pools`);
    const cluster = new AksCluster(this, 'Aks', {
      resourceGroup: rg,
      environment,
      kubernetesVersion: aks.kubernetesVersion,
      tenantId: props.tenantId,
      systemPool,
      confidentialPool,
      networkPlugin: aks.networkPlugin,
      podCidr: network.podCidr,
      serviceCidr: network.serviceCidr,
      authorizedIpRanges: aksAuthorizedIpRanges(network.adminSourceCidrs),
      production: props.production,
      tags,
    });
    const maa = new MaaProvider(this, 'Attestation', { resourceGroup: rg, name: aks.attestationProviderName, tags });
    // Premium: secure key release works on exportable HSM-backed keys only.
    const vault = new RbacKeyVault(this, 'KeyVault', { resourceGroup: rg, name: aks.keyVaultName, logicalId: 'key_vault', tenantId: props.tenantId, purgeProtection: props.production, sku: 'premium', tags });

    const identity = new UserAssignedIdentity(this, 'KeyReleaseIdentity', { name: `${environment}-key-release`, resourceGroupName: rg.name, location: rg.location, tags });
    identity.overrideLogicalId('key_release_identity');
    const subject = `system:serviceaccount:${props.workloadsNamespace}:${aks.keyReleaseServiceAccount}`;
    new FederatedIdentityCredential(this, 'KeyReleaseFederation', {
      name: 'key-release',
      resourceGroupName: rg.name,
      parentId: identity.id,
      audience: [TOKEN_EXCHANGE_AUDIENCE],
      issuer: cluster.cluster.oidcIssuerUrl,
      subject,
    }).overrideLogicalId('key_release_federation');
    vault.grant('key_release_identity_vault_access', identity.principalId, 'Key Vault Crypto Service Release User', 'ServicePrincipal');
    vault.grant('deployer_vault_access', props.deployerObjectId, 'Key Vault Crypto Officer');
    grantDeployerClusterAdmin(this, cluster.cluster, props.deployerObjectId);

    const output = (name: string, value: string, description: string) => new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output('aks_cluster_name', cluster.cluster.name, 'AKS cluster.');
    output('attestation_endpoint', maa.provider.attestationUri, 'Microsoft Azure Attestation endpoint for the attestation demo workload.');
    output('key_vault_uri', vault.vault.vaultUri, 'Key Vault for keys released against an attestation token.');
    output('key_release_identity_client_id', identity.clientId, `Client ID for the azure.workload.identity/client-id annotation of ServiceAccount ${props.workloadsNamespace}/${aks.keyReleaseServiceAccount}.`);
    output('oidc_issuer_url', cluster.cluster.oidcIssuerUrl, 'OIDC issuer of the cluster (workload identity).');
    const kubeconfig = kubeconfigInstructions(rg.name, cluster.cluster.name);
    output('kubeconfig_instructions', kubeconfig.value, kubeconfig.description);
  }
}
