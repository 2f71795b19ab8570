import { Construct } from 'constructs';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';

export interface SubnetNatGatewayProps {
  readonly resourceGroup: ResourceGroup;
  readonly environment: string;
  /** Subnets whose outbound traffic leaves through the gateway, by logical-ID-friendly role. */
  readonly subnets: Readonly<Record<string, Subnet>>;
  readonly tags: Record<string, string>;
}

/**
 * Explicit outbound access for a cluster's subnets (azure-tdx: the nodes' package and release
 * downloads, Key Vault; aks-peer-pods: the pod VMs' image pulls): Azure is retiring implicit
 * "default outbound access", and one static egress IP is easy to allow-list.
 */
export class SubnetNatGateway extends Construct {
  readonly publicIp: PublicIp;
  /** Subnet associations: a VM has outbound access once these exist. */
  readonly associations: readonly SubnetNatGatewayAssociation[];

  constructor(scope: Construct, id: string, props: SubnetNatGatewayProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    const gateway = new NatGateway(this, 'Gateway', { name: `${props.environment}-nat`, resourceGroupName: rg.name, location: rg.location, skuName: 'Standard', tags: props.tags });
    gateway.overrideLogicalId('nat_gateway');
    this.publicIp = new PublicIp(this, 'PublicIp', { name: `${props.environment}-nat-pip`, resourceGroupName: rg.name, location: rg.location, sku: 'Standard', allocationMethod: 'Static', tags: props.tags });
    this.publicIp.overrideLogicalId('nat_gateway_pip');
    new NatGatewayPublicIpAssociation(this, 'PublicIpAssociation', { natGatewayId: gateway.id, publicIpAddressId: this.publicIp.id }).overrideLogicalId('nat_gateway_pip_association');
    this.associations = Object.entries(props.subnets).map(([role, subnet]) => {
      const a = new SubnetNatGatewayAssociation(this, `${role}-association`, { subnetId: subnet.id, natGatewayId: gateway.id });
      a.overrideLogicalId(`${role}_subnet_nat`);
      return a;
    });
  }
}
