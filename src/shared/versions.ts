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
  // --- Trustee KBS (issue 5) ---
  /**
   * Trustee release of the KBS. src/k8s/kbs/kbs-config-toml.ts renders the config TOML of exactly
   * this release (kbs/docs/config.md and kbs/src/config.rs at the tag) and refuses any other:
   * a bump is one reviewed change of both. Matched set: guest-components v0.21.0, Kata 4.0.0,
   * CoCo chart 0.22.0.
   * @see https://github.com/confidential-containers/trustee/releases/tag/v0.21.0
   */
  trustee: 'v0.21.0',
  /**
   * KBS with the built-in attestation service (release-guide.md: staged-images/kbs is published as
   * key-broker-service:built-in-as-<release>). Not upstream's kustomize image: at tag v0.21.0
   * kbs/config/kubernetes/base/kustomization.yaml still names built-in-as-v0.20.0.
   */
  kbsImage: 'ghcr.io/confidential-containers/key-broker-service:built-in-as-v0.21.0',
  /**
   * Image of the KBS provisioning Job, which calls the admin HTTP API with curl. Trustee v0.21.0
   * publishes kbs-client only as an ORAS binary artifact (kbs-client:sample_only-<release>, not a
   * runnable image) and kbs-client-image only under commit tags, so no pinned release image ships it.
   * @see https://hub.docker.com/r/curlimages/curl/tags
   */
  curlImage: 'docker.io/curlimages/curl:8.11.1',
  // --- runtime and workloads (issue 7) ---
  /**
   * Kata Containers release whose kata-deploy RuntimeClass table (names, handlers, overheads) we
   * render: tools/packaging/kata-deploy/helm-chart/kata-deploy/templates/runtimeclasses.yaml at tag 4.0.0.
   * Bumping it means re-checking src/k8s/runtime/kata-runtime-classes.ts.
   * @see https://github.com/kata-containers/kata-containers/releases/tag/4.0.0
   */
  kata: '4.0.0',
  /**
   * Confidential Containers Helm chart (oci://ghcr.io/confidential-containers/charts/confidential-containers);
   * 0.22.0 wraps kata-deploy 4.0.0 under the alias `kata-as-coco-runtime` (confidential-containers/charts PR #192).
   * @see https://github.com/confidential-containers/charts/releases
   */
  cocoChart: '0.22.0',
  /**
   * Initdata specification version, the only one Kata 4.0.0 accepts (src/libs/kata-types/src/initdata.rs).
   * @see https://github.com/confidential-containers/trustee/blob/main/kbs/docs/initdata.md
   */
  initdata: '0.1.0',
  /** busybox for the seed 001 demo pods (seed used quay.io/prometheus/busybox:latest, which is unpinned). @see https://hub.docker.com/_/busybox */
  busyboxImage: 'docker.io/library/busybox:1.37.0',
  /** Encrypted test image of seed 001 (layers wrapped with KBS key default/key/ssh-demo). @see https://github.com/confidential-containers/guest-components */
  cocoEncryptedTestImage: 'ghcr.io/confidential-containers/test-container:multi-arch-encrypted',
  /** Tools image of the seed 000 section 9 attacker pod (seed used ubuntu:latest). @see https://hub.docker.com/_/ubuntu */
  ubuntuImage: 'docker.io/library/ubuntu:24.04',
  /** Small shell image of the seed 000 section 9 demos (seed used alpine:latest). @see https://hub.docker.com/_/alpine */
  alpineImage: 'docker.io/library/alpine:3.22',
  // --- guest components on the node (issue 6) ---
  /**
   * confidential-containers/guest-components release whose attestation-agent (`ttrpc-aa`) and
   * confidential-data-hub (`grpc-cdh`) the node installer image must carry, and whose AA/CDH
   * config format src/k8s/guest-components renders (attestation-agent/attestation-agent/src/config,
   * confidential-data-hub/hub/src/config.rs at the tag). The image is built outside this
   * repository (docs/guest-components.md, "Image contract").
   * @see https://github.com/confidential-containers/guest-components/releases/tag/v0.21.0
   */
  guestComponents: 'v0.21.0',
  /** Commit tag v0.21.0 pointed at when it was reviewed (record only: nothing here builds it). */
  guestComponentsCommit: 'da8d93f2797088a5f0636c8c1eeb31da73784fe8',
  /**
   * containerd/imgcrypt release whose `ctd-decoder` the node installer image must carry. Its stream-processor protocol
   * (payload on fd 3 as a protobuf Any) is the one containerd 1.7 speaks (diff/stream_unix.go);
   * seed 000 ran imgcrypt main with containerd 1.7.30. cmd/go.mod at the tag needs Go >= 1.26.3.
   * @see https://github.com/containerd/imgcrypt/releases/tag/v2.0.3
   */
  imgcrypt: 'v2.0.3',
  /** Commit imgcrypt tag v2.0.3 pointed at when it was reviewed (record only: nothing here builds it). */
  imgcryptCommit: '3cd28929043ba2847633c32b806a6ccda8cd030f',
} as const;

/** Kubernetes minor version (`1.31`) of the pinned Kubernetes release. */
export function kubernetesMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Checksums of the node binaries the azure-tdx cloud-init downloads (linux/amd64), by version.
 * A version missing here is refused by the config rules: cloud-init never installs an unpinned
 * binary. Source of every value: kubernetes-sigs/kubespray
 * roles/kubespray_defaults/vars/main/checksums.yml (commit 46dbdd39, which took them from the
 * upstream release pages). They could not be re-computed here (no network to the release
 * artifacts); the helm value also appears in many unrelated public repositories.
 */
export const NODE_ARTIFACT_SHA256 = {
  /** https://github.com/containerd/containerd/releases/download/v<v>/containerd-<v>-linux-amd64.tar.gz */
  containerd: {
    '1.7.30': 'ca0f27e34411504acd1cd24fcbaa71b9c47d31ce9408c47c54a2dc1810ceb1df',
    '1.7.34': '640f989745020ea4897ad0a3d7d977863a7279d3f2e132792fc62c25a45bda50',
  },
  /** https://github.com/opencontainers/runc/releases/download/v<v>/runc.amd64 (1.2.8+ fix the 2025-11 runc CVEs) */
  runc: {
    '1.2.4': 'e83565aa78ec8f52a4d2b4eb6c4ca262b74c5f6770c1f43670c3029c20175502',
    '1.2.9': 'b21fda1d5a1510b19c3f6fb43ecb3a92887654a9d0c2b64e84b8b08f24ff0e30',
  },
  /** https://get.helm.sh/helm-v<v>-linux-amd64.tar.gz: installs Cilium on the control plane. */
  helm: {
    '3.17.3': 'ee88b3c851ae6466a3de507f7be73fe94d54cbf2987cbaa3d1a3832ea331f2cd',
  },
} as const satisfies Record<string, Record<string, string>>;

/** helm on the control plane (only to install the Cilium chart). @see https://github.com/helm/helm/releases */
export const NODE_HELM_VERSION = '3.17.3';

/**
 * Debian revision of the pkgs.k8s.io packages (`kubeadm=1.31.14-1.1`).
 * @see https://kubernetes.io/blog/2023/08/15/pkgs-k8s-io-introduction/
 */
export const K8S_DEB_REVISION = '1.1';

/**
 * azurerm provider the `@cdktf/provider-azurerm` bindings were generated from (14.23.1 wraps
 * 4.55.0); the synthesized stacks pin exactly this. Bump together with the npm package.
 * @see https://github.com/cdktf/cdktf-provider-azurerm/releases
 */
export const AZURERM_PROVIDER_VERSION = '4.55.0';
