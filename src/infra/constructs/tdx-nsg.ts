import { Construct } from 'constructs';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { INTERNET_SOURCES } from '../../shared/network';
import { KBS_PORT } from '../../shared/kbs-endpoint';
import { API_SERVER_PORT } from '../cloud-init/kubeadm-config';

export interface TdxNsgProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name, the prefix of the NSG name. */
  readonly environment: string;
  /** Subnets the NSG is associated with, by logical-ID-friendly role name (`control_plane`). */
  readonly subnets: Readonly<Record<string, Subnet>>;
  /**
   * Sources of SSH, API server and NodePort traffic from outside the VNet. Internet sources
   * (`*`, `Internet`, `0.0.0.0/0`) are only here when the config's dev switch allowed them.
   * @default [] (config): no admin ingress from outside the VNet
   */
  readonly adminSourceCidrs: readonly string[];
  readonly tags: Record<string, string>;
}

interface Rule {
  readonly name: string;
  readonly priority: number;
  readonly ports: string;
  readonly protocol: 'Tcp' | '*';
}

/** Admin and public ports: only from the configured sources. */
const ADMIN_RULES: readonly Rule[] = [
  { name: 'allow-ssh', priority: 1000, ports: '22', protocol: 'Tcp' },
  { name: 'allow-k8s-api', priority: 1001, ports: String(API_SERVER_PORT), protocol: 'Tcp' },
  { name: 'allow-nodeports', priority: 1005, ports: '30000-32767', protocol: 'Tcp' },
];

/** Cluster-internal ports of seed 000, from the VNet only. */
const VNET_RULES: readonly Rule[] = [
  { name: 'allow-kubelet', priority: 1002, ports: '10250', protocol: 'Tcp' },
  { name: 'allow-etcd', priority: 1003, ports: '2379-2380', protocol: 'Tcp' },
  { name: 'allow-kbs', priority: 1004, ports: String(KBS_PORT), protocol: 'Tcp' },
  { name: 'allow-vnet-internal', priority: 1100, ports: '*', protocol: '*' },
];

/** One NSG with the seed-000 rules, associated with every subnet of the cluster. */
export class TdxNsg extends Construct {
  readonly nsg: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: TdxNsgProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    this.nsg = new NetworkSecurityGroup(this, 'Nsg', { name: `${props.environment}-nsg`, resourceGroupName: rg.name, location: rg.location, tags: props.tags });
    this.nsg.overrideLogicalId('nsg');

    // The "Internet" service tag covers any CIDR listed beside it; NSG prefix lists take CIDRs only.
    const internet = props.adminSourceCidrs.some((s) => INTERNET_SOURCES.includes(s));
    const adminSource = internet ? { sourceAddressPrefix: 'Internet' } : { sourceAddressPrefixes: [...props.adminSourceCidrs] };
    const rules = [...(props.adminSourceCidrs.length > 0 ? ADMIN_RULES.map((r) => ({ rule: r, source: adminSource })) : []), ...VNET_RULES.map((r) => ({ rule: r, source: { sourceAddressPrefix: 'VirtualNetwork' } }))];
    for (const { rule, source } of rules.sort((a, b) => a.rule.priority - b.rule.priority)) {
      const r = new NetworkSecurityRule(this, rule.name, {
        name: rule.name,
        resourceGroupName: rg.name,
        networkSecurityGroupName: this.nsg.name,
        priority: rule.priority,
        direction: 'Inbound',
        access: 'Allow',
        protocol: rule.protocol,
        sourcePortRange: '*',
        destinationPortRange: rule.ports,
        destinationAddressPrefix: '*',
        ...source,
      });
      r.overrideLogicalId(`nsg_${rule.name.replace(/-/g, '_')}`);
    }
    for (const [role, subnet] of Object.entries(props.subnets)) {
      const a = new SubnetNetworkSecurityGroupAssociation(this, `${role}-association`, { subnetId: subnet.id, networkSecurityGroupId: this.nsg.id });
      a.overrideLogicalId(`${role}_subnet_nsg`);
    }
  }
}
