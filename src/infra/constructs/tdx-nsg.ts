import type { Construct } from 'constructs';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { INTERNET_SOURCES } from '../../shared/network';
import { KBS_PORT } from '../../shared/kbs-endpoint';
import { API_SERVER_PORT } from '../cloud-init/kubeadm-config';
import { SubnetNsg, type NsgAddress, type NsgRule } from './subnet-nsg';

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

type Rule = Pick<NsgRule, 'name' | 'priority' | 'ports' | 'protocol'>;

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

/** The seed-000 rules: admin ports from the configured sources (if any), cluster ports from the VNet. */
function tdxRules(adminSourceCidrs: readonly string[]): NsgRule[] {
  // The "Internet" service tag covers any CIDR listed beside it; NSG prefix lists take CIDRs only.
  const internet = adminSourceCidrs.some((s) => INTERNET_SOURCES.includes(s));
  const adminSource: NsgAddress = internet ? { prefix: 'Internet' } : { prefixes: adminSourceCidrs };
  const inbound = (rule: Rule, source: NsgAddress): NsgRule => ({ ...rule, direction: 'Inbound', access: 'Allow', source, destination: { prefix: '*' } });
  return [...(adminSourceCidrs.length > 0 ? ADMIN_RULES.map((r) => inbound(r, adminSource)) : []), ...VNET_RULES.map((r) => inbound(r, { prefix: 'VirtualNetwork' }))];
}

/** One NSG with the seed-000 rules, associated with every subnet of the cluster. */
export class TdxNsg extends SubnetNsg {
  constructor(scope: Construct, id: string, props: TdxNsgProps) {
    super(scope, id, { resourceGroup: props.resourceGroup, name: `${props.environment}-nsg`, logicalId: 'nsg', rules: tdxRules(props.adminSourceCidrs), subnets: props.subnets, tags: props.tags });
  }
}
