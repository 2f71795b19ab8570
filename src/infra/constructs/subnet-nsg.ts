import { Construct } from 'constructs';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';

/** An address side of a rule: one prefix (a CIDR or a service tag such as `VirtualNetwork`) or several CIDRs. */
export type NsgAddress = { readonly prefix: string } | { readonly prefixes: readonly string[] };

/** One security rule; the NSG's default rules (priority 65000 and up) stay below it. */
export interface NsgRule {
  /** Rule name, also the construct ID and (with `-` as `_`) the Terraform address suffix. */
  readonly name: string;
  /** 100-4096, unique per direction; lower wins. */
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly access: 'Allow' | 'Deny';
  readonly protocol: 'Tcp' | 'Udp' | '*';
  /** Destination port or range (`8080`, `30000-32767`, `*`). */
  readonly ports: string;
  readonly source: NsgAddress;
  readonly destination: NsgAddress;
}

export interface SubnetNsgProps {
  readonly resourceGroup: ResourceGroup;
  /** Azure name of the NSG. */
  readonly name: string;
  /** Terraform address of the NSG (`azurerm_network_security_group.<logicalId>`); its rules are `<logicalId>_<rule>`. */
  readonly logicalId: string;
  readonly rules: readonly NsgRule[];
  /** Subnets the NSG is associated with, by logical-ID-friendly role name (`control_plane`): `<role>_subnet_nsg`. */
  readonly subnets: Readonly<Record<string, Subnet>>;
  readonly tags: Record<string, string>;
}

function address(side: 'source' | 'destination', a: NsgAddress): Record<string, string | string[]> {
  return 'prefix' in a ? { [`${side}AddressPrefix`]: a.prefix } : { [`${side}AddressPrefixes`]: [...a.prefixes] };
}

/** A network security group with its rules (in priority order), associated with subnets. */
export class SubnetNsg extends Construct {
  readonly nsg: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: SubnetNsgProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    this.nsg = new NetworkSecurityGroup(this, 'Nsg', { name: props.name, resourceGroupName: rg.name, location: rg.location, tags: props.tags });
    this.nsg.overrideLogicalId(props.logicalId);
    const byPriority = [...props.rules].sort((a, b) => a.priority - b.priority || a.direction.localeCompare(b.direction));
    for (const rule of byPriority) {
      const r = new NetworkSecurityRule(this, rule.name, {
        name: rule.name,
        resourceGroupName: rg.name,
        networkSecurityGroupName: this.nsg.name,
        priority: rule.priority,
        direction: rule.direction,
        access: rule.access,
        protocol: rule.protocol,
        sourcePortRange: '*',
        destinationPortRange: rule.ports,
        ...address('destination', rule.destination),
        ...address('source', rule.source),
      });
      r.overrideLogicalId(`${props.logicalId}_${rule.name.replace(/-/g, '_')}`);
    }
    for (const [role, subnet] of Object.entries(props.subnets)) {
      const a = new SubnetNetworkSecurityGroupAssociation(this, `${role}-association`, { subnetId: subnet.id, networkSecurityGroupId: this.nsg.id });
      a.overrideLogicalId(`${role}_subnet_nsg`);
    }
  }
}
