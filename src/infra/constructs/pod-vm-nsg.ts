import type { Construct } from 'constructs';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { KBS_PORT } from '../../shared/kbs-endpoint';
import { POD_VM_AGENT_PORT, POD_VM_VXLAN_PORT } from '../../shared/peer-pods';
import { SubnetNsg, type NsgRule } from './subnet-nsg';

export interface PodVmNsgProps {
  readonly resourceGroup: ResourceGroup;
  /** Azure name of the NSG (peerPodsNames().podVmNsg). */
  readonly name: string;
  /** The pod-VM subnet the NSG is associated with. */
  readonly podVmSubnet: Subnet;
  /** CIDR of the pod-VM subnet (network.subnets.podVms). */
  readonly podVmSubnetCidr: string;
  /** CIDR of the AKS node subnet, where cloud-api-adaptor runs (network.subnets.worker). */
  readonly nodeSubnetCidr: string;
  /** Private IP of the KBS internal load balancer (peerPods.kbsAddress). */
  readonly kbsAddress: string;
  readonly tags: Record<string, string>;
}

/** The rules of the pod-VM subnet: the pod VM talks to its node, the KBS and registries, nothing else. */
function podVmRules(p: PodVmNsgProps): NsgRule[] {
  const nodes = { prefix: p.nodeSubnetCidr };
  const podVms = { prefix: p.podVmSubnetCidr };
  const any = { prefix: '*' };
  return [
    // cloud-api-adaptor on the node dials agent-protocol-forwarder on the pod VM (the kata agent API).
    { name: 'allow-agent-from-nodes', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', ports: String(POD_VM_AGENT_PORT), source: nodes, destination: podVms },
    // The VXLAN tunnel carries the pod's network between the node and its VM, in both directions.
    { name: 'allow-vxlan-from-nodes', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Udp', ports: String(POD_VM_VXLAN_PORT), source: nodes, destination: podVms },
    // Above the default AllowVnetInBound (65000): nothing else in the VNet (the KBS pool, other pod
    // VMs, a compromised node process on another port) reaches a pod VM. Internet inbound is
    // already denied by DenyAllInBound; Azure's load balancer probes keep their default rule.
    { name: 'deny-vnet-inbound', priority: 4000, direction: 'Inbound', access: 'Deny', protocol: '*', ports: '*', source: { prefix: 'VirtualNetwork' }, destination: any },
    // Attestation and secrets: the KBS internal load balancer, the one address pod VMs need in the
    // VNet (they cannot resolve cluster DNS or reach ClusterIPs).
    { name: 'allow-kbs', priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', ports: String(KBS_PORT), source: podVms, destination: { prefix: `${p.kbsAddress}/32` } },
    { name: 'allow-vxlan-to-nodes', priority: 110, direction: 'Outbound', access: 'Allow', protocol: 'Udp', ports: String(POD_VM_VXLAN_PORT), source: podVms, destination: nodes },
    // Image pulls from registries, through the NAT gateway.
    { name: 'allow-https-internet', priority: 120, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', ports: '443', source: podVms, destination: { prefix: 'Internet' } },
    // Above the default AllowVnetOutBound (65000): a pod VM cannot reach the nodes' kubelet, the
    // KBS pool directly, other pod VMs or anything else in the VNet. Azure's platform services at
    // 168.63.129.16 (DNS, VM agent ready signal) are not subject to this rule (only to the
    // AzurePlatform* service tags), so pod VMs still resolve names and report ready.
    { name: 'deny-vnet-outbound', priority: 4000, direction: 'Outbound', access: 'Deny', protocol: '*', ports: '*', source: any, destination: { prefix: 'VirtualNetwork' } },
    // Above the default AllowInternetOutBound (65001), without which the HTTPS rule would allow
    // nothing extra: HTTPS is the only way out. The pod's own traffic leaves through the VXLAN
    // tunnel and the node; the guest's IMDS (169.254.169.254: user data, the vTPM's AMD/Intel
    // certificates) and Azure DNS are platform addresses NSGs do not filter.
    { name: 'deny-internet-outbound', priority: 4010, direction: 'Outbound', access: 'Deny', protocol: '*', ports: '*', source: any, destination: { prefix: 'Internet' } },
  ];
}

/**
 * The NSG of the peer-pod VMs' subnet. A pod VM runs a tenant's confidential workload; the node
 * and the rest of the VNet are outside its trust boundary, so traffic is limited to what peer pods
 * need: the agent and tunnel ports from the node subnet, the KBS and HTTPS to the Internet out.
 */
export class PodVmNsg extends SubnetNsg {
  constructor(scope: Construct, id: string, props: PodVmNsgProps) {
    super(scope, id, { resourceGroup: props.resourceGroup, name: props.name, logicalId: 'pod_vms_nsg', rules: podVmRules(props), subnets: { pod_vms: props.podVmSubnet }, tags: props.tags });
  }
}
