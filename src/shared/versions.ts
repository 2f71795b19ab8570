/**
 * Upstream versions the product pins, with where each fact comes from.
 * A version bump is one reviewed change here; the config schema uses these as defaults.
 */
export const VERSIONS = {
  /**
   * Kubernetes minor line for kubeadm clusters and the OpenAPI schema we validate against.
   * Seed 000 settled on 1.31 (upstream end of life 2025-10-28: the posture report says so).
   * @see https://kubernetes.io/releases/
   */
  kubernetes: '1.31.14',
  /**
   * containerd 1.7 line, not 2.x: 2.x pulls through the transfer service, which skips the
   * decryption stream processors, so node-level image decryption fails (seed 000, troubleshooting).
   * @see https://github.com/containerd/containerd/releases
   */
  containerd: '1.7.30',
  /** runc used with containerd 1.7 in seed 000. @see https://github.com/opencontainers/runc/releases */
  runc: '1.2.4',
  /** Cilium with kube-proxy replacement, seed 000. @see https://github.com/cilium/cilium/releases */
  cilium: '1.16.5',
  /** Argo CD whose CRD schemas the bundle is validated against. @see https://github.com/argoproj/argo-cd/releases */
  argoCd: 'v3',
} as const;

/** Kubernetes minor version (`1.31`) of the pinned Kubernetes release. */
export function kubernetesMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
