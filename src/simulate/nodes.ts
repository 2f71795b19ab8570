/**
 * The simulated cluster's Node objects, built from the environment's node model
 * (src/shared/cluster-nodes.ts: the same entries the Terraform and cloud-init are written from):
 * name, labels and taints as the kubelet registers them, capacity and allocatable of the VM size.
 * kwok then marks them Ready and keeps their heartbeats.
 */
import type { ClusterNode } from '../shared/cluster-nodes';
import { nodeLabels } from '../shared/cluster-nodes';
import type { KubeObject } from './kube-client';

/** kwok's convention for nodes it plays the kubelet of. */
const KWOK_NODE_ANNOTATION = { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' };

const quantity = (n: { milliCpu: number; memoryBytes: number; pods: number }) => ({ cpu: `${n.milliCpu}m`, memory: `${Math.floor(n.memoryBytes / 1024)}Ki`, pods: String(n.pods) });

/** One Node as the kubelet would create it at registration. */
export function nodeObject(node: ClusterNode): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: nodeLabels(node), annotations: { ...KWOK_NODE_ANNOTATION, ...(node.vmSize ? { 'coco.azure/simulated-vm-size': node.vmSize } : {}) } },
    spec: { taints: node.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })) },
    status: { capacity: quantity(node.capacity), allocatable: quantity(node.allocatable), nodeInfo: { architecture: 'amd64', operatingSystem: 'linux' } },
  };
}
