/**
 * The peer-pods environment (provider aks-peer-pods) as data both halves read: the Terraform
 * (src/infra) names its network and identity from here, and the GitOps half (the peerpods chart
 * values, the KBS load balancer, initdata) takes the IDs Azure will give those resources from
 * here too. Azure resource IDs are deterministic (subscription, group, type, name), so the values
 * can be rendered before `terraform apply`, and a test compares them with the Terraform JSON.
 *
 * Upstream facts from cloud-api-adaptor v0.22.0 (peerpods chart 0.4.0):
 * src/cloud-api-adaptor/install/charts/peerpods (templates, providers/azure.yaml),
 * src/cloud-providers/azure (provider.go, client.go).
 */
import type { EnvironmentConfig } from '../config/schema';
import { kbsEndpoint, KBS_PORT } from './kbs-endpoint';

type PeerPodsConfig = NonNullable<EnvironmentConfig['infrastructure']['peerPods']>;

/** OCI source of cloud-api-adaptor's peerpods chart (Argo CD native OCI source, `path: .`). */
export const PEERPODS_CHART = 'oci://ghcr.io/confidential-containers/cloud-api-adaptor/charts/peerpods';
/** OCI source of the cert-manager chart, which the peerpods webhook's Issuer and Certificate need. */
export const CERT_MANAGER_CHART = 'oci://quay.io/jetstack/charts/cert-manager';
/** Name of the CAA DaemonSet the chart renders. */
export const CAA_DAEMON_SET = 'cloud-api-adaptor-daemonset';

/** ServiceAccount of the cloud-api-adaptor DaemonSet (chart template serviceaccount.yaml). */
export const CAA_SERVICE_ACCOUNT = 'cloud-api-adaptor';
/** ServiceAccount of peerpod-ctrl (the resourceCtrl sub-chart), which deletes pod VMs left behind. */
export const PEERPOD_CTRL_SERVICE_ACCOUNT = 'peerpodctrl-controller-manager';
/** Node label the CAA DaemonSet selects (`node.kubernetes.io/worker: ""`, fixed in the chart). */
export const CAA_NODE_LABEL = { key: 'node.kubernetes.io/worker', value: '' } as const;
/** agent-protocol-forwarder on the pod VM, which CAA dials (FORWARDER_PORT default). */
export const POD_VM_AGENT_PORT = 15150;
/** VXLAN tunnel between the node and the pod VM that carries the pod network (VXLAN_PORT default). */
export const POD_VM_VXLAN_PORT = 4789;

/** Names of the Azure resources of the environment (Terraform names them from here). */
export interface PeerPodsNames {
  readonly vnet: string;
  readonly nodeSubnet: string;
  readonly kbsSubnet: string;
  readonly podVmSubnet: string;
  readonly podVmNsg: string;
  readonly identity: string;
}

export function peerPodsNames(environment: string): PeerPodsNames {
  return {
    vnet: `${environment}-vnet`,
    nodeSubnet: 'aks-nodes',
    kbsSubnet: 'kbs',
    podVmSubnet: 'pod-vms',
    podVmNsg: `${environment}-pod-vms`,
    identity: `${environment}-cloud-api-adaptor`,
  };
}

export interface PeerPodsModel {
  readonly config: PeerPodsConfig;
  readonly names: PeerPodsNames;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** AZURE_SUBNET_ID: the pod-VM subnet. */
  readonly podVmSubnetId: string;
  readonly podVmSubnetCidr: string;
  readonly nodeSubnetCidr: string;
  readonly kbsSubnetCidr: string;
  /** Where pod VMs reach the KBS: the internal load balancer in the KBS subnet. */
  readonly kbsUrl: string;
  /** Namespace of the peerpods release (the runtime component's). */
  readonly namespace: string;
  /** Workload identity subjects federated with the CAA identity. */
  readonly federatedSubjects: readonly string[];
  /** Every size a pod VM may have: the default first. */
  readonly instanceSizes: readonly string[];
}

/** The peer-pods model of an environment, or undefined when it is not an aks-peer-pods environment. */
export function peerPodsModel(config: EnvironmentConfig, environment: string): PeerPodsModel | undefined {
  const infra = config.infrastructure;
  const pp = infra.peerPods;
  if (infra.provider !== 'aks-peer-pods' || pp === undefined || infra.resourceGroup === undefined || infra.location === undefined) return undefined;
  const names = peerPodsNames(environment);
  const namespace = config.runtime.namespace;
  // Plain HTTP only where the KBS has no TLS (a dev switch, refused in production by rules/kbs.ts).
  const scheme = kbsEndpoint(config).insecureHttp ? 'http' : 'https';
  return {
    config: pp,
    names,
    subscriptionId: pp.subscriptionId,
    resourceGroup: infra.resourceGroup,
    location: infra.location,
    podVmSubnetId: `/subscriptions/${pp.subscriptionId}/resourceGroups/${infra.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${names.vnet}/subnets/${names.podVmSubnet}`,
    podVmSubnetCidr: infra.network.subnets.podVms,
    nodeSubnetCidr: infra.network.subnets.worker,
    kbsSubnetCidr: infra.network.subnets.kbs,
    kbsUrl: `${scheme}://${pp.kbsAddress}:${KBS_PORT}`,
    namespace,
    federatedSubjects: [CAA_SERVICE_ACCOUNT, PEERPOD_CTRL_SERVICE_ACCOUNT].map((sa) => `system:serviceaccount:${namespace}:${sa}`),
    instanceSizes: [pp.podVm.instanceSize, ...pp.podVm.instanceSizes.filter((s) => s !== pp.podVm.instanceSize)],
  };
}

/** The KBS Service pod VMs reach: an Azure internal load balancer at kbsAddress (src/k8s/kbs). */
export const KBS_VNET_SERVICE_NAME = 'kbs-vnet';

/** Pod annotation choosing a peer pod's VM size: one of AZURE_INSTANCE_SIZES (the model's instanceSizes). */
export const MACHINE_TYPE_ANNOTATION = 'io.katacontainers.config.hypervisor.machine_type';
