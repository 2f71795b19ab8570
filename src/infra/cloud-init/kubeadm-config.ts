/**
 * kubeadm configuration (API kubeadm.k8s.io/v1beta4, new in 1.31) for the control plane and the
 * joining nodes, as data. The join template carries no token: the node fills it in at run time
 * from Key Vault (see scripts.ts).
 */
import { stringify } from '../../shared/yaml11';
import { CONTAINERD_SOCKET } from './containerd-config';

export const KUBEADM_API = 'kubeadm.k8s.io/v1beta4';
export const API_SERVER_PORT = 6443;

/** A node label or taint the kubelet registers with (src/shared/node-roles.ts). */
export interface NodeRegistration {
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
}

export interface KubeadmInitProps {
  /** Cluster name in kubeconfigs (the environment name). */
  readonly clusterName: string;
  /** Exact Kubernetes version, e.g. 1.31.14. */
  readonly kubernetesVersion: string;
  /** The control plane's static private IP: advertise address and control-plane endpoint. */
  readonly advertiseAddress: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Lifetime of the token `kubeadm init` creates; it is replaced right after init anyway. */
  readonly initTokenTtl: string;
}

function kubeletExtraArgs(reg: NodeRegistration): { name: string; value: string }[] {
  const labels = Object.entries(reg.labels).map(([k, v]) => `${k}=${v}`);
  return labels.length > 0 ? [{ name: 'node-labels', value: labels.join(',') }] : [];
}

/** InitConfiguration + ClusterConfiguration + KubeletConfiguration, as a multi-document YAML file. */
export function kubeadmInitYaml(p: KubeadmInitProps): string {
  const init = {
    apiVersion: KUBEADM_API,
    kind: 'InitConfiguration',
    bootstrapTokens: [
      {
        ttl: p.initTokenTtl,
        description: 'kubeadm init token, deleted right after init (joins use the token handed out through Key Vault)',
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ],
    localAPIEndpoint: { advertiseAddress: p.advertiseAddress, bindPort: API_SERVER_PORT },
    nodeRegistration: { criSocket: CONTAINERD_SOCKET },
    // Cilium replaces kube-proxy.
    skipPhases: ['addon/kube-proxy'],
  };
  const cluster = {
    apiVersion: KUBEADM_API,
    kind: 'ClusterConfiguration',
    clusterName: p.clusterName,
    kubernetesVersion: `v${p.kubernetesVersion.replace(/^v/, '')}`,
    controlPlaneEndpoint: `${p.advertiseAddress}:${API_SERVER_PORT}`,
    // Explicit, outside the VNet, and the same CIDR Cilium's cluster-pool allocates from.
    networking: { podSubnet: p.podCidr, serviceSubnet: p.serviceCidr, dnsDomain: 'cluster.local' },
  };
  const kubelet = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', cgroupDriver: 'systemd' };
  return [init, cluster, kubelet].map((doc) => stringify(doc)).join('---\n');
}

export interface KubeadmJoinProps {
  /** `<control-plane private IP>:6443`. */
  readonly apiServerEndpoint: string;
  readonly registration: NodeRegistration;
}

/** Placeholder values a node overwrites from Key Vault before `kubeadm join`. */
export const JOIN_PLACEHOLDERS = { token: '', caCertHashes: [] as string[] };

/** JoinConfiguration as JSON (jq fills in the token on the node). */
export function kubeadmJoinJson(p: KubeadmJoinProps): string {
  const join = {
    apiVersion: KUBEADM_API,
    kind: 'JoinConfiguration',
    discovery: { bootstrapToken: { apiServerEndpoint: p.apiServerEndpoint, ...JOIN_PLACEHOLDERS } },
    nodeRegistration: {
      criSocket: CONTAINERD_SOCKET,
      kubeletExtraArgs: kubeletExtraArgs(p.registration),
      taints: p.registration.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    },
  };
  return `${JSON.stringify(join, null, 2)}\n`;
}
