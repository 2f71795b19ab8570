import { Construct } from 'constructs';
import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { LoadedEnvironment } from '../../config/load';
import { MANAGED_BY } from '../../shared/labels';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AZURERM_PROVIDER_VERSION } from '../../shared/versions';
import { peerPodsModel } from '../../shared/peer-pods';
import { AksEnvironment } from '../constructs/aks-environment';
import { PeerPodsEnvironment } from '../constructs/peer-pods-environment';
import { TdxCluster } from '../constructs/tdx-cluster';

/**
 * One Terraform stack per environment with Azure infrastructure (`cdktf deploy <env>`).
 * Credentials come from the Azure CLI login or ARM_* variables, never from the config.
 */
export class EnvironmentStack extends TerraformStack {
  constructor(scope: Construct, env: LoadedEnvironment) {
    super(scope, env.name);
    const { config, name } = env;
    const infra = config.infrastructure;
    if (infra.provider === 'none' || infra.location === undefined || infra.resourceGroup === undefined) {
      // The loader guarantees this; a stack for a cluster we do not create would be empty.
      throw new Error(`environment ${name} has no Azure infrastructure`);
    }
    const backend = infra.backend;
    if (backend.type === 'azurerm') {
      new AzurermBackend(this, {
        resourceGroupName: backend.resourceGroupName ?? '',
        storageAccountName: backend.storageAccountName ?? '',
        containerName: backend.containerName ?? '',
        key: backend.key ?? `${name}.tfstate`,
        useAzureadAuth: true,
      });
    } else {
      // Relative to cdktf.out/stacks/<env>: state lives at the repo root (git-ignored), outside the
      // folder synth replaces, and the path does not depend on where the repo is checked out.
      new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });
    }
    const peerPods = peerPodsModel(config, name);
    // aks-peer-pods names its subscription: cloud-api-adaptor's AZURE_SUBSCRIPTION_ID and
    // AZURE_SUBNET_ID (GitOps values) must name the subscription Terraform deploys into.
    new AzurermProvider(this, 'azurerm', { features: [{}], ...(peerPods ? { subscriptionId: peerPods.subscriptionId } : {}) });
    // Pin the exact provider the bindings were generated from (the package only says "~> 4.0").
    this.addOverride('terraform.required_providers.azurerm', { source: 'hashicorp/azurerm', version: AZURERM_PROVIDER_VERSION });
    const client = new DataAzurermClientConfig(this, 'Client', {});
    client.overrideLogicalId('current');
    const tags = { ...infra.tags, environment: name, 'managed-by': MANAGED_BY };
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: infra.resourceGroup, location: infra.location, tags });
    rg.overrideLogicalId('resource_group');
    new TerraformOutput(this, 'resource_group_name', { value: rg.name });

    const production = config.profile === 'production';
    if (infra.provider === 'azure-tdx' && infra.tdx) {
      // The folder of the KBS local volume lives on kbs-server: its bootstrap creates it.
      const kbsLocalPath = config.kbs.enabled ? config.kbs.storage.localPath : undefined;
      new TdxCluster(this, 'Tdx', { resourceGroup: rg, environment: name, network: infra.network, tdx: infra.tdx, tenantId: client.tenantId, production, tags, kbsLocalPath });
    }
    if (infra.provider === 'aks-cvm' && infra.aks) {
      new AksEnvironment(this, 'Aks', {
        resourceGroup: rg,
        environment: name,
        infrastructure: infra,
        workloadsNamespace: config.workloads.namespace,
        tenantId: client.tenantId,
        deployerObjectId: client.objectId,
        production,
        tags,
      });
    }
    if (infra.provider === 'aks-peer-pods') {
      if (peerPods === undefined) throw new Error(`environment ${name}: provider aks-peer-pods without infrastructure.peerPods`);
      new PeerPodsEnvironment(this, 'PeerPods', { resourceGroup: rg, environment: name, infrastructure: infra, model: peerPods, tenantId: client.tenantId, deployerObjectId: client.objectId, production, tags });
    }
  }
}
