import { Construct } from 'constructs';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';

export interface TdxNetworkProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name, used as the prefix of every resource name. */
  readonly environment: string;
  /** @default 10.0.0.0/16 (config) */
  readonly vnetCidr: string;
  /** Subnet CIDRs by role; validated to lie inside the VNet without overlap. */
  readonly subnets: { readonly controlPlane: string; readonly worker: string; readonly kbs: string };
  readonly tags: Record<string, string>;
}

/** The seed-000 network: one VNet with control-plane, worker and KBS subnets. */
export class TdxNetwork extends Construct {
  readonly vnet: VirtualNetwork;
  readonly controlPlaneSubnet: Subnet;
  readonly workerSubnet: Subnet;
  readonly kbsSubnet: Subnet;

  constructor(scope: Construct, id: string, props: TdxNetworkProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    this.vnet = new VirtualNetwork(this, 'Vnet', {
      name: `${props.environment}-vnet`,
      resourceGroupName: rg.name,
      location: rg.location,
      addressSpace: [props.vnetCidr],
      tags: props.tags,
    });
    // Human Terraform addresses (azurerm_virtual_network.vnet) instead of hashed construct paths.
    this.vnet.overrideLogicalId('vnet');
    const subnet = (role: string, cidr: string) => {
      const s = new Subnet(this, role, {
        name: `${role}-subnet`,
        resourceGroupName: rg.name,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [cidr],
        // Outbound goes through the NAT gateway only (Azure retires implicit default outbound access).
        defaultOutboundAccessEnabled: false,
        // The join-token Key Vault admits these subnets only, through the service endpoint.
        serviceEndpoints: ['Microsoft.KeyVault'],
      });
      s.overrideLogicalId(`${role.replace(/-/g, '_')}_subnet`);
      return s;
    };
    this.controlPlaneSubnet = subnet('control-plane', props.subnets.controlPlane);
    this.workerSubnet = subnet('worker', props.subnets.worker);
    this.kbsSubnet = subnet('kbs', props.subnets.kbs);
  }
}
