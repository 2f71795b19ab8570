/**
 * The nodes of an environment's cluster, as data: one entry per VM (azure-tdx) or node-pool member
 * (aks-cvm, aks-peer-pods), or per declared node of a bring-your-own cluster (`cluster.nodes`). Each carries the
 * labels and taints the kubelet (or AKS) registers it with and what it offers to the scheduler.
 * The Terraform (src/infra) reads the names, sizes, labels and taints from here, the simulation
 * (src/simulate) builds its Node objects from the same entries: the two cannot drift apart.
 */
import type { EnvironmentConfig, InfrastructureConfig } from '../config/schema';

type TdxConfig = NonNullable<InfrastructureConfig['tdx']>;
/** AKS node OS SKUs with a confidential VM image (AKS has none for Ubuntu2204). */
export type AksOsSku = NonNullable<InfrastructureConfig['aks']>['confidentialPool']['osSku'];
import { GUEST_COMPONENTS_NODE_LABEL, KBS_NODE_LABEL, KBS_NODE_TAINT, AKS_CONFIDENTIAL_NODE_LABEL } from './node-roles';
import { CAA_NODE_LABEL } from './peer-pods';
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

/** The taint AKS puts on a pool with only_critical_addons_enabled (system pools only). */
export const CRITICAL_ADDONS_ONLY_TAINT: NodeTaint = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' };

/**
 * An AKS node pool as the Terraform creates it and the node model expands it: the pool's labels
 * and taints are the `node_labels` and taints of its azurerm resource.
 */
export interface AksPool {
  /** AKS pool name (1-12 lowercase alphanumerics): the `agentpool` label and the node name stem. */
  readonly name: string;
  readonly mode: 'system' | 'user';
  readonly role: ClusterNodeRole;
  readonly count: number;
  readonly vmSize: string;
  /** The pool's os_sku (`Ubuntu`, AKS's default, where the Terraform leaves it unset). */
  readonly osSku: AksOsSku;
  /** `node_labels` of the pool. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Taints of every node of the pool. A system pool can only carry CRITICAL_ADDONS_ONLY_TAINT
   * (azurerm 4.x has no node_taints on the default pool, only only_critical_addons_enabled).
   */
  readonly taints: readonly NodeTaint[];
}

/**
 * The node pools of an AKS environment (aks-cvm, aks-peer-pods), in Terraform's order (the
 * default pool first); empty for other providers.
 */
export function aksPools(infra: InfrastructureConfig): AksPool[] {
  if (infra.provider === 'aks-cvm' && infra.aks) {
    const aks = infra.aks;
    return [
      // Critical add-ons only: application pods go to the confidential pool.
      { name: 'system', mode: 'system', role: 'system', count: aks.systemPool.count, vmSize: aks.systemPool.vmSize, osSku: 'Ubuntu', labels: {}, taints: [CRITICAL_ADDONS_ONLY_TAINT] },
      {
        name: 'cvm',
        mode: 'user',
        role: 'worker',
        count: aks.confidentialPool.count,
        vmSize: aks.confidentialPool.vmSize,
        osSku: aks.confidentialPool.osSku,
        labels: { [AKS_CONFIDENTIAL_NODE_LABEL.key]: AKS_CONFIDENTIAL_NODE_LABEL.value },
        taints: [],
      },
    ];
  }
  if (infra.provider === 'aks-peer-pods' && infra.peerPods) {
    const pp = infra.peerPods;
    return [
      // Regular VMs that run everything but the KBS: cloud-api-adaptor (its DaemonSet selects
      // node.kubernetes.io/worker, fixed in the chart; kubelet may set node.kubernetes.io/* labels
      // itself, and the upstream AKS guide passes --nodepool-labels node.kubernetes.io/worker=),
      // kata-deploy, Argo CD and the Kubernetes side of each peer pod. No CriticalAddonsOnly
      // taint: the only other pool is the KBS's.
      { name: 'system', mode: 'system', role: 'worker', count: pp.nodePool.count, vmSize: pp.nodePool.vmSize, osSku: 'Ubuntu', labels: { [CAA_NODE_LABEL.key]: CAA_NODE_LABEL.value }, taints: [] },
      // Confidential VMs dedicated to the Trustee KBS, which holds the keys pod VMs attest for.
      { name: 'kbs', mode: 'user', role: 'kbs', count: pp.kbsPool.count, vmSize: pp.kbsPool.vmSize, osSku: 'Ubuntu', labels: { [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value }, taints: [{ ...KBS_NODE_TAINT }] },
    ];
  }
  return [];
}

/** The nodes of one AKS pool, shaped and labelled the way AKS registers them. */
export function aksPoolNodes(pool: AksPool, location: string): ClusterNode[] {
  return Array.from({ length: pool.count }, (_, i): ClusterNode => ({
    // AKS names nodes aks-<pool>-<random>-vmss<index>; the random part is a stable stand-in here.
    name: `aks-${pool.name}-00000000-vmss${String(i).padStart(6, '0')}`,
    role: pool.role,
    vmSize: pool.vmSize,
    registrationLabels: { ...pool.labels },
    platformLabels: {
      'kubernetes.azure.com/agentpool': pool.name,
      'kubernetes.azure.com/mode': pool.mode,
      'kubernetes.azure.com/os-sku': pool.osSku,
      'node.kubernetes.io/instance-type': pool.vmSize,
      'topology.kubernetes.io/region': location,
      'topology.kubernetes.io/zone': '0',
    },
    taints: pool.taints.map((t) => ({ ...t })),
    // AKS applies pool taints itself.
    registrationTaints: [],
    ...aksShape(pool.vmSize, AKS_MAX_PODS),
  }));
}

/** Every node of the environment's cluster, in a stable order. */
export function clusterNodes(config: EnvironmentConfig): ClusterNode[] {
  const infra = config.infrastructure;
  if (infra.provider === 'azure-tdx' && infra.tdx) return tdxClusterNodes(infra.tdx);
  if (infra.provider === 'aks-cvm' || infra.provider === 'aks-peer-pods') return aksPools(infra).flatMap((pool) => aksPoolNodes(pool, infra.location ?? ''));
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
