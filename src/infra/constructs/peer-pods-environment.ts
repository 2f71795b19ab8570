import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { InfrastructureConfig } from '../../config/schema';
import { aksPools } from '../../shared/cluster-nodes';
import type { PeerPodsModel } from '../../shared/peer-pods';
import { aksAuthorizedIpRanges, grantDeployerClusterAdmin, kubeconfigInstructions } from './aks-access';
import { AksCluster } from './aks-cluster';
import { SUBNET_JOIN_ACTIONS, CaaIdentity } from './caa-identity';
import { ClusterNetwork } from './cluster-network';
import { CustomRole } from './custom-role';
import { SubnetNatGateway } from './nat-gateway';
import { PodVmNsg } from './pod-vm-nsg';

export interface PeerPodsEnvironmentProps {
  readonly resourceGroup: ResourceGroup;
  readonly environment: string;
  /** The infrastructure section (provider aks-peer-pods): network and the node pools of the shared node model. */
  readonly infrastructure: InfrastructureConfig;
  /** The peer-pods model: Azure names, CIDRs, federated subjects, the pod-VM image. */
  readonly model: PeerPodsModel;
  /** Tenant and object ID of whoever runs `cdktf deploy` (azurerm client config). */
  readonly tenantId: string;
  readonly deployerObjectId: string;
  /** Production: AKS Standard tier (uptime SLA). */
  readonly production: boolean;
  readonly tags: Record<string, string>;
}

/**
 * Peer pods on Azure: AKS on regular VMs whose kata-remote pods each run in their own confidential
 * VM, created by cloud-api-adaptor in the pod-VM subnet; the Trustee KBS on a tainted confidential
 * pool behind an internal load balancer in the KBS subnet (the Service is rendered on the GitOps
 * side, the load balancer created by AKS's cloud provider). Names and IDs come from the shared
 * peer-pods model, so the peerpods chart values (AZURE_SUBNET_ID, ...) name these very resources.
 */
export class PeerPodsEnvironment extends Construct {
  constructor(scope: Construct, id: string, props: PeerPodsEnvironmentProps) {
    super(scope, id);
    const { environment, model, tags } = props;
    const rg = props.resourceGroup;
    const network = props.infrastructure.network;
    const names = model.names;

    const net = new ClusterNetwork(this, 'Network', {
      resourceGroup: rg,
      environment,
      vnetCidr: network.vnetCidr,
      subnets: {
        'aks-nodes': { name: names.nodeSubnet, cidr: model.nodeSubnetCidr },
        kbs: { name: names.kbsSubnet, cidr: model.kbsSubnetCidr },
        'pod-vms': { name: names.podVmSubnet, cidr: model.podVmSubnetCidr },
      },
      tags,
    });
    const podVmSubnet = net.subnets['pod-vms'];
    new PodVmNsg(this, 'PodVmNsg', {
      resourceGroup: rg,
      name: names.podVmNsg,
      podVmSubnet,
      podVmSubnetCidr: model.podVmSubnetCidr,
      nodeSubnetCidr: model.nodeSubnetCidr,
      kbsAddress: model.config.kbsAddress,
      tags,
    });
    // New subnets have no default outbound access: pod VMs pull their images through this gateway.
    // The AKS nodes leave through the cluster's own outbound load balancer.
    new SubnetNatGateway(this, 'Nat', { resourceGroup: rg, environment, subnets: { pod_vms: podVmSubnet }, tags });

    // Labels and taints of the pools come from the node model the simulation uses too.
    const [systemPool, kbsPool] = aksPools(props.infrastructure);
    if (systemPool === undefined || kbsPool === undefined) throw new Error(`PeerPodsEnvironment ${environment}: the node model has no aks-peer-pods pools`);
    // Bring-your-own subnets: the cluster identity joins the node NICs to aks-nodes and kbs, and
    // AKS's cloud provider puts the KBS internal load balancer's frontend into kbs; pod VMs join
    // pod-vms with cloud-api-adaptor's identity.
    const subnetJoin = new CustomRole(this, 'SubnetJoinRole', {
      name: `${environment} subnet join (${model.resourceGroup})`,
      logicalId: 'subnet_join_role',
      description: 'Join NICs and load balancer frontends to a subnet of this resource group (AKS cluster identity, cloud-api-adaptor).',
      assignableScope: rg.id,
      actions: SUBNET_JOIN_ACTIONS,
    });
    const { cluster } = new AksCluster(this, 'Aks', {
      resourceGroup: rg,
      environment,
      kubernetesVersion: model.config.kubernetesVersion,
      tenantId: props.tenantId,
      systemPool,
      systemSubnet: net.subnets['aks-nodes'],
      confidentialPool: kbsPool,
      confidentialSubnet: net.subnets.kbs,
      subnetJoinRole: subnetJoin,
      networkPlugin: 'azure',
      podCidr: network.podCidr,
      serviceCidr: network.serviceCidr,
      authorizedIpRanges: aksAuthorizedIpRanges(network.adminSourceCidrs),
      production: props.production,
      tags,
    });

    const caa = new CaaIdentity(this, 'CloudApiAdaptor', { resourceGroup: rg, environment, model, podVmSubnet, subnetJoinRole: subnetJoin, oidcIssuerUrl: cluster.oidcIssuerUrl, tags });
    grantDeployerClusterAdmin(this, cluster, props.deployerObjectId);

    const output = (name: string, value: string, description: string) => new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output(
      'caa_identity_client_id',
      caa.identity.clientId,
      'Client ID of the cloud-api-adaptor managed identity: put it into infrastructure.peerPods.identityClientId of the environment file, re-run npm run synth and commit.',
    );
    output('pod_vm_subnet_id', podVmSubnet.id, `Subnet of the pod VMs (AZURE_SUBNET_ID; the GitOps values name ${model.podVmSubnetId}).`);
    output('kbs_address', model.config.kbsAddress, 'Private IP of the KBS internal load balancer, which pod VMs attest to (infrastructure.peerPods.kbsAddress).');
    output('aks_cluster_name', cluster.name, 'AKS cluster.');
    output('oidc_issuer_url', cluster.oidcIssuerUrl, 'OIDC issuer of the cluster (workload identity).');
    const kubeconfig = kubeconfigInstructions(rg.name, cluster.name);
    output('kubeconfig_instructions', kubeconfig.value, kubeconfig.description);
  }
}
