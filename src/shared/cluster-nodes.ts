/**
 * The nodes of an environment's cluster, as data: one entry per VM (azure-tdx) or node-pool member
 * (aks-cvm), or per declared node of a bring-your-own cluster (`cluster.nodes`). Each carries the
 * labels and taints the kubelet (or AKS) registers it with and what it offers to the scheduler.
 * The Terraform (src/infra) reads the names, sizes, labels and taints from here, the simulation
 * (src/simulate) builds its Node objects from the same entries: the two cannot drift apart.
 */
import type { EnvironmentConfig, InfrastructureConfig } from '../config/schema';

type TdxConfig = NonNullable<InfrastructureConfig['tdx']>;
import { GUEST_COMPONENTS_NODE_LABEL, KBS_NODE_LABEL, KBS_NODE_TAINT, AKS_CONFIDENTIAL_NODE_LABEL } from './node-roles';
import { vmSizeShape } from './vm-sizes';

export type ClusterNodeRole = 'control-plane' | 'worker' | 'kbs' | 'system';

export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface ClusterNode {
  /** Node name (the VM name on azure-tdx, `aks-<pool>-<n>` on AKS). */
  readonly name: string;
  readonly role: ClusterNodeRole;
  /** Azure VM size; undefined on bring-your-own clusters. @default none */
  readonly vmSize?: string;
  /**
   * Labels set at registration beyond the kubelet's own (hostname, os, arch): kubeadm's
   * `--node-labels` from cloud-init, AKS's pool labels, or the declared ones of a byo cluster.
   */
  readonly registrationLabels: Readonly<Record<string, string>>;
  /** Labels the platform adds after registration (kubeadm's control-plane label, AKS's agentpool labels). */
  readonly platformLabels: Readonly<Record<string, string>>;
  /** Every taint of the node once it is up (registration's and the platform's, such as kubeadm's control-plane taint). */
  readonly taints: readonly NodeTaint[];
  /** The taints of `taints` the node registers with itself (kubelet `--register-with-taints`, kubeadm JoinConfiguration). */
  readonly registrationTaints: readonly NodeTaint[];
  /** What the kubelet reports as allocatable: `cpu` (cores, may be fractional: millicores), `memory` (bytes), `pods`. */
  readonly allocatable: { readonly milliCpu: number; readonly memoryBytes: number; readonly pods: number };
  /** Raw capacity of the machine. */
  readonly capacity: { readonly milliCpu: number; readonly memoryBytes: number; readonly pods: number };
}

/** Name of the dedicated KBS VM and node (seed 000). */
export const KBS_NODE_NAME = 'kbs-server';

const MI = 1024 * 1024;
const GI = 1024 * MI;

/** kubelet's default hard eviction threshold `memory.available<100Mi` (kubeadm sets no reservations). */
const KUBELET_EVICTION_MEMORY = 100 * MI;
const KUBELET_MAX_PODS = 110;

/** kubeadm's control-plane label and taint (kubeadm `mark-control-plane` phase). */
const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
const CONTROL_PLANE_TAINT: NodeTaint = { key: CONTROL_PLANE_LABEL, value: '', effect: 'NoSchedule' };

/** A kubeadm node: capacity of its VM size, no reservations but the eviction threshold. */
function kubeadmShape(vmSize: string): Pick<ClusterNode, 'allocatable' | 'capacity'> {
  const { vcpus, memoryGiB } = vmSizeShape(vmSize);
  const capacity = { milliCpu: vcpus * 1000, memoryBytes: memoryGiB * GI, pods: KUBELET_MAX_PODS };
  return { capacity, allocatable: { ...capacity, memoryBytes: capacity.memoryBytes - KUBELET_EVICTION_MEMORY } };
}

/** AKS kube-reserved CPU by core count (AKS docs "Resource reservations"). */
function aksReservedMilliCpu(cores: number): number {
  const table: [number, number][] = [[1, 60], [2, 100], [4, 140], [8, 180], [16, 260], [32, 420]];
  return table.find(([c]) => cores <= c)?.[1] ?? 740;
}

/** Azure CNI Overlay's default max pods per node (also the AKS default for kubenet is 110). */
const AKS_MAX_PODS = 250;

/**
 * An AKS node: kube-reserved memory is min(20Mi x maxPods + 50Mi, 25% of memory) (AKS >= 1.29),
 * plus the 100Mi eviction threshold; kube-reserved CPU from AKS's table.
 * @see https://learn.microsoft.com/azure/aks/node-resource-reservations
 */
function aksShape(vmSize: string, maxPods: number): Pick<ClusterNode, 'allocatable' | 'capacity'> {
  const { vcpus, memoryGiB } = vmSizeShape(vmSize);
  const memoryBytes = memoryGiB * GI;
  const reservedMemory = Math.min(20 * MI * maxPods + 50 * MI, Math.floor(memoryBytes / 4));
  const capacity = { milliCpu: vcpus * 1000, memoryBytes, pods: maxPods };
  return { capacity, allocatable: { milliCpu: capacity.milliCpu - aksReservedMilliCpu(vcpus), memoryBytes: memoryBytes - reservedMemory - KUBELET_EVICTION_MEMORY, pods: maxPods } };
}

/** Parses `4`, `3500m`, `16Gi`, `512Mi` into millicores or bytes. */
export function parseQuantity(q: string, unit: 'cpu' | 'bytes'): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (unit === 'cpu') return suffix === 'm' ? n : n * 1000;
  const factor: Record<string, number> = { '': 1, m: 0.001, Ki: 1024, Mi: MI, Gi: GI, Ti: 1024 * GI };
  return Math.round(n * (factor[suffix] ?? 1));
}

/** The kubeadm cluster's VMs (control plane, workers, the dedicated KBS VM), in Terraform's order. */
export function tdxClusterNodes(tdx: TdxConfig): ClusterNode[] {
  return [
    ...Array.from({ length: tdx.controlPlane.count }, (_, i): ClusterNode => ({
      name: `k8s-control-${i + 1}`,
      role: 'control-plane',
      vmSize: tdx.controlPlane.vmSize,
      registrationLabels: {},
      platformLabels: { [CONTROL_PLANE_LABEL]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' },
      // kubeadm init marks the control plane; nothing is registered with.
      taints: [CONTROL_PLANE_TAINT],
      registrationTaints: [],
      ...kubeadmShape(tdx.controlPlane.vmSize),
    })),
    ...Array.from({ length: tdx.workers.count }, (_, i): ClusterNode => ({
      name: `k8s-worker-${i + 1}`,
      role: 'worker',
      vmSize: tdx.workers.vmSize,
      // The guest-components installer DaemonSet selects these nodes.
      registrationLabels: { [GUEST_COMPONENTS_NODE_LABEL.key]: GUEST_COMPONENTS_NODE_LABEL.value },
      platformLabels: {},
      taints: [],
      registrationTaints: [],
      ...kubeadmShape(tdx.workers.vmSize),
    })),
    ...(tdx.kbsNode.enabled
      ? [
          {
            name: KBS_NODE_NAME,
            role: 'kbs' as const,
            vmSize: tdx.kbsNode.vmSize,
            // Only the KBS Deployment selects and tolerates this node: KBS keeps its own CVM.
            registrationLabels: { [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value },
            platformLabels: {},
            taints: [{ ...KBS_NODE_TAINT }],
            registrationTaints: [{ ...KBS_NODE_TAINT }],
            ...kubeadmShape(tdx.kbsNode.vmSize),
          },
        ]
      : []),
  ];
}

/** Every node of the environment's cluster, in a stable order. */
export function clusterNodes(config: EnvironmentConfig): ClusterNode[] {
  const infra = config.infrastructure;
  if (infra.provider === 'azure-tdx' && infra.tdx) return tdxClusterNodes(infra.tdx);
  if (infra.provider === 'aks-cvm' && infra.aks) {
    const aks = infra.aks;
    const pool = (name: string, mode: 'system' | 'user', count: number, vmSize: string, labels: Record<string, string>, taints: NodeTaint[], role: ClusterNodeRole, osSku: string) =>
      Array.from({ length: count }, (_, i): ClusterNode => ({
        // AKS names nodes aks-<pool>-<random>-vmss<index>; the random part is a stable stand-in here.
        name: `aks-${name}-00000000-vmss${String(i).padStart(6, '0')}`,
        role,
        vmSize,
        registrationLabels: labels,
        platformLabels: {
          'kubernetes.azure.com/agentpool': name,
          'kubernetes.azure.com/mode': mode,
          'kubernetes.azure.com/os-sku': osSku,
          'node.kubernetes.io/instance-type': vmSize,
          'topology.kubernetes.io/region': infra.location ?? '',
          'topology.kubernetes.io/zone': '0',
        },
        taints,
        // AKS applies pool taints itself.
        registrationTaints: [],
        ...aksShape(vmSize, AKS_MAX_PODS),
      }));
    return [
      // onlyCriticalAddonsEnabled: AKS taints the system pool CriticalAddonsOnly=true:NoSchedule.
      ...pool('system', 'system', aks.systemPool.count, aks.systemPool.vmSize, {}, [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }], 'system', 'Ubuntu'),
      ...pool('cvm', 'user', aks.confidentialPool.count, aks.confidentialPool.vmSize, { [AKS_CONFIDENTIAL_NODE_LABEL.key]: AKS_CONFIDENTIAL_NODE_LABEL.value }, [], 'worker', aks.confidentialPool.osSku),
    ];
  }
  return config.cluster.nodes.flatMap((group) =>
    Array.from({ length: group.count }, (_, i): ClusterNode => {
      const allocatable = { milliCpu: parseQuantity(group.allocatableCpu, 'cpu'), memoryBytes: parseQuantity(group.allocatableMemory, 'bytes'), pods: group.maxPods };
      const controlPlane = group.role === 'control-plane';
      return {
        name: `${group.name}-${i + 1}`,
        role: group.role,
        registrationLabels: { ...group.labels },
        platformLabels: controlPlane ? { [CONTROL_PLANE_LABEL]: '' } : {},
        taints: [...(controlPlane ? [CONTROL_PLANE_TAINT] : []), ...group.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect }))],
        registrationTaints: group.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        allocatable,
        capacity: allocatable,
      };
    }),
  );
}

/** Every label of a node as the API server shows it after registration: kubelet's, then the rest. */
export function nodeLabels(node: ClusterNode): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...node.registrationLabels,
    ...node.platformLabels,
  };
}
