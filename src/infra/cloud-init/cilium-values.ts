/**
 * Helm values for the Cilium chart the control plane installs (seed 000: kube-proxy replacement).
 * @see https://docs.cilium.io/en/v1.16/network/kubernetes/kubeproxy-free/
 */
import { stringify } from '../../shared/yaml11';

export interface CiliumValuesProps {
  /** The API server Cilium talks to before any Service works (no kube-proxy). */
  readonly apiServerHost: string;
  readonly apiServerPort: number;
  /** Pod CIDR for cluster-pool IPAM; Cilium's default 10.0.0.0/8 would overlap the VNet. */
  readonly podCidr: string;
}

export function ciliumValuesYaml(p: CiliumValuesProps): string {
  const values = {
    kubeProxyReplacement: true,
    k8sServiceHost: p.apiServerHost,
    k8sServicePort: p.apiServerPort,
    ipam: {
      mode: 'cluster-pool',
      operator: { clusterPoolIPv4PodCIDRList: [p.podCidr], clusterPoolIPv4MaskSize: 24 },
    },
    // NetworkPolicy ipBlocks match node addresses only in this mode: the KBS policy admits the
    // host-level confidential-data-hub of each worker by the worker subnet (docs/kbs.md).
    policyCIDRMatchMode: ['nodes'],
  };
  return stringify(values);
}
