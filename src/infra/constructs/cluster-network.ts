import { Construct } from 'constructs';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';

/** One subnet of the network. */
export interface ClusterSubnetSpec {
  /** Azure subnet name (what resource IDs and the GitOps values name). */
  readonly name: string;
  /** Address prefix; the config rules check it lies inside the VNet without overlap. */
  readonly cidr: string;
  /**
   * Service endpoints of the subnet.
   * @default none
   */
  readonly serviceEndpoints?: readonly string[];
}

export interface ClusterNetworkProps<Role extends string> {
  readonly resourceGroup: ResourceGroup;
  /** Environment name: the VNet is `<environment>-vnet`. */
  readonly environment: string;
  /** @default 10.0.0.0/16 (config) */
  readonly vnetCidr: string;
  /**
   * Subnets by role. The role is the construct ID and, with `-` as `_`, the Terraform address
   * (`azurerm_subnet.<role>_subnet`).
   */
  readonly subnets: Readonly<Record<Role, ClusterSubnetSpec>>;
  readonly tags: Record<string, string>;
}

/**
 * One VNet with a subnet per role: the seed-000 layout (control-plane, worker, kbs) or the
 * peer-pods one (AKS nodes, KBS pool, pod VMs). No subnet has Azure's implicit default outbound
 * access (being retired): outbound leaves through a NAT gateway or AKS's load balancer only.
 */
export class ClusterNetwork<Role extends string> extends Construct {
  readonly vnet: VirtualNetwork;
  readonly subnets: Readonly<Record<Role, Subnet>>;

  constructor(scope: Construct, id: string, props: ClusterNetworkProps<Role>) {
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
    const entries = Object.entries(props.subnets) as [Role, ClusterSubnetSpec][];
    this.subnets = Object.fromEntries(
      entries.map(([role, spec]) => {
        const s = new Subnet(this, role, {
          name: spec.name,
          resourceGroupName: rg.name,
          virtualNetworkName: this.vnet.name,
          addressPrefixes: [spec.cidr],
          defaultOutboundAccessEnabled: false,
          ...(spec.serviceEndpoints ? { serviceEndpoints: [...spec.serviceEndpoints] } : {}),
        });
        s.overrideLogicalId(`${role.replace(/-/g, '_')}_subnet`);
        return [role, s];
      }),
    ) as Record<Role, Subnet>;
  }
}
