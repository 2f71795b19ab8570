import { Construct } from 'constructs';
import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { LoadedEnvironment } from '../../config/load';
import { MANAGED_BY } from '../../shared/labels';
import { TdxNetwork } from '../constructs/tdx-network';

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
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const tags = { ...infra.tags, environment: name, 'managed-by': MANAGED_BY };
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: infra.resourceGroup, location: infra.location, tags });
    rg.overrideLogicalId('resource_group');
    new TerraformOutput(this, 'resource_group_name', { value: rg.name });

    if (infra.provider === 'azure-tdx') {
      const net = new TdxNetwork(this, 'Network', { resourceGroup: rg, environment: name, vnetCidr: infra.network.vnetCidr, subnets: infra.network.subnets, tags });
      new TerraformOutput(this, 'vnet_name', { value: net.vnet.name });
    }
  }
}
