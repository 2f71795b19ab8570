/**
 * Upstream versions the product pins, with where each fact comes from.
 * A version bump is one reviewed change here; the config schema uses these as defaults, and
 * src/shared/support.ts says how long each release line is supported.
 */
export const VERSIONS = {
  /**
   * Kubernetes release of kubeadm clusters (kubeadm/kubelet/kubectl from pkgs.k8s.io), of the
   * OpenAPI schema we validate against and of every Kubernetes binary the tests build. 1.36 is
   * GA and LTS on AKS too; 1.36.5 is the newest patch the Go module proxy serves (2026-12-01).
   * @see https://kubernetes.io/releases/1.36/
   */
  kubernetes: '1.36.5',
  /**
   * containerd 2.3 (LTS). Node-level image decryption works on 2.x only through the CRI client
   * pull path: `[plugins."io.containerd.cri.v1.images"] use_local_image_pull = true`; decryption was
   * reinstated there in v2.1.7, v2.2.2 and v2.3.0 (containerd PR #12705), the default transfer
   * service still skips the stream processors, and 2.0.x cannot decrypt at all. 2.3.4 is the
   * newest 2.3 release with a checksum from a source we can cite (NODE_ARTIFACT_SHA256).
   * @see https://github.com/containerd/containerd/releases
   */
  containerd: '2.3.4',
  /**
   * runc 1.4 (maintained beside 1.5 and 1.3); fixes CVE-2025-31133, -52565, -52881 (fixed from
   * 1.2.8, 1.3.3 and 1.4.0). The newest release with a citable checksum.
   * @see https://github.com/opencontainers/runc/releases
   */
  runc: '1.4.3',
  /**
   * Cilium with kube-proxy replacement (1.18-1.20 supported on 2026-12-01), installed by the
   * control plane with the cilium CLI (NODE_CILIUM_CLI_VERSION).
   * @see https://github.com/cilium/cilium/releases
   */
  cilium: '1.20.1',
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
   * kata-deploy's installer image, which the CoCo chart's kata-deploy renders from its chart
   * appVersion (`image.tag: ""` in values.yaml at tag 4.0.0). The bundle sets it explicitly so the
   * image can be pinned by digest (config/images.lock.yaml); its tag must stay VERSIONS.kata.
   */
  kataDeployImage: 'quay.io/kata-containers/kata-deploy:4.0.0',
  /**
   * Image of kata-deploy's post-delete RBAC cleanup Job (and verification Job, when enabled):
   * needs bash and kubectl. kata-deploy 4.0.0 defaults `kubectlImage` to
   * quay.io/kata-containers/kubectl:latest; that image is rebuilt weekly
   * (.github/workflows/build-kubectl-image.yaml at 4.0.0) and also tagged `v<kubectl version>`.
   * v1.37.1 is a published tag (kubevirt/kubevirt-tekton-tasks uses it as its default `cliImage`);
   * kubectl 1.37 is within the supported skew of the 1.36 API server (one minor either way).
   * @see https://github.com/kata-containers/kata-containers/blob/4.0.0/tools/packaging/kata-deploy/helm-chart/kata-deploy/values.yaml
   * @see https://kubernetes.io/releases/version-skew-policy/#kubectl
   */
  kataKubectlImage: 'quay.io/kata-containers/kubectl:v1.37.1',
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
  // --- peer pods (cloud-api-adaptor on AKS) ---
  /**
   * cloud-api-adaptor's peerpods Helm chart (PEERPODS_CHART in src/shared/peer-pods.ts): chart
   * 0.4.0 = CAA v0.22.0 (tag 38d0fcf7, released 2026-07-27), the newest tag on 2026-12-01. Its
   * sub-charts peerpodctrl and peerpods-webhook are 0.4.0 too; its kata-deploy 4.0.0 sub-chart is
   * switched off (the CoCo chart Application owns kata-deploy).
   * @see https://github.com/confidential-containers/cloud-api-adaptor/blob/v0.22.0/src/cloud-api-adaptor/install/charts/peerpods/Chart.yaml
   */
  peerpodsChart: '0.4.0',
  /** The CAA release the chart is cut from (appVersion). Record for reviewers: the chart pins images by commit, not by this tag. */
  cloudApiAdaptor: 'v0.22.0',
  /**
   * The cloud-api-adaptor DaemonSet image: the chart's default `image.tag` at v0.22.0 (a main
   * commit of 2026-07-25; the release image without CGO, which every provider but libvirt uses).
   * Set explicitly in the values so review shows it and `npm run pin-images` pins it.
   * @see https://github.com/confidential-containers/cloud-api-adaptor/blob/v0.22.0/src/cloud-api-adaptor/install/charts/peerpods/values.yaml
   */
  cloudApiAdaptorImage: 'quay.io/confidential-containers/cloud-api-adaptor:61b1aba91df646a663e60ab6b55c6a7dc93cd167',
  /** peer-pods-webhook (sub-chart `webhook`): its chart default at v0.22.0 (src/webhook/chart/values.yaml). */
  peerPodsWebhookImage: 'quay.io/confidential-containers/peer-pods-webhook:61b1aba91df646a663e60ab6b55c6a7dc93cd167',
  /** peerpod-ctrl (sub-chart `resourceCtrl`): its chart default at v0.22.0 (src/peerpod-ctrl/chart/values.yaml). */
  peerpodCtrlImage: 'quay.io/confidential-containers/peerpod-ctrl:61b1aba91df646a663e60ab6b55c6a7dc93cd167',
  /**
   * kube-rbac-proxy sidecar of peerpod-ctrl (`resourceCtrl.authProxy.image`, rendered while
   * authProxy.enabled, the default): the chart's default at v0.22.0. An old release (2022); kept
   * because it is what the chart was tested with. A bump is a reviewed change here.
   * @see https://github.com/confidential-containers/cloud-api-adaptor/blob/v0.22.0/src/peerpod-ctrl/chart/values.yaml
   */
  kubeRbacProxyImage: 'registry.k8s.io/kubebuilder/kube-rbac-proxy:v0.14.0',
  /**
   * cert-manager chart (CERT_MANAGER_CHART), a prerequisite of the peerpods webhook (its Issuer
   * and Certificate). v1.21.2 is the newest patch (Go module proxy: v1.21.0 2026-07-08, v1.21.2
   * 2026-09-10). cert-manager supports the two newest minor releases: 1.21 stays supported until
   * 1.23 is released (about eight months after 1.21, given the four-monthly cadence), and patches
   * land on the newest patch of each supported minor only: stay on the latest 1.21.x.
   * Value keys read at v1.21.1 (the newest tag in the reviewed snapshot; 1.21.2 is a patch release).
   * @see https://cert-manager.io/docs/releases/
   */
  certManagerChart: 'v1.21.2',
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

/** Kubernetes minor version (`1.36`) of the pinned Kubernetes release. */
export function kubernetesMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Checksums of the node binaries the azure-tdx cloud-init downloads (linux/amd64), by version.
 * A version missing here is refused by the config rules: cloud-init never installs an unpinned
 * binary. Source of every value: kubernetes-sigs/kubespray
 * roles/kubespray_defaults/vars/main/checksums.yml at commit 46dbdd39 (2026-08-21), which takes
 * them from the upstream release pages. They could not be re-computed here (no network to the
 * release artifacts). To add a version: copy its amd64 line from a newer kubespray commit, or
 * compute `sha256sum` of the release file yourself, and name the source in the commit.
 */
export const NODE_ARTIFACT_SHA256 = {
  /** https://github.com/containerd/containerd/releases/download/v<v>/containerd-<v>-linux-amd64.tar.gz */
  containerd: {
    '2.3.4': '9d68969855fbf676cdb8ed758e420fb048d61f984f61de3e53eddfebe484d168',
    '2.3.3': 'ebf6e710056312628eaf6fb4a1c32f0a4ae5f812568321be4029389d66fc7c7c',
    '2.2.7': '91cd216ea26a1b8b512219d3f205375c967e7b7de4dae571bc3dd16bfacd34b5',
  },
  /** https://github.com/opencontainers/runc/releases/download/v<v>/runc.amd64 */
  runc: {
    '1.4.3': 'f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60',
    '1.3.6': '3f3921dbbee7723e9868f97e88e51ffc910206e3ba55646e74d93d24ea76023c',
  },
  /**
   * https://github.com/cilium/cilium-cli/releases/download/v<v>/cilium-linux-amd64.tar.gz: installs
   * and upgrades Cilium on the control plane (`cilium install|upgrade --version`), as kubespray does.
   */
  ciliumCli: {
    '0.19.7': 'cd15e0983bf0acc7946cd05d453d1e58376ea92dec2642e745212df2b07d8852',
  },
} as const satisfies Record<string, Record<string, string>>;

/** cilium CLI on the control plane (only to install and upgrade Cilium). @see https://github.com/cilium/cilium-cli/releases */
export const NODE_CILIUM_CLI_VERSION = '0.19.7';

/**
 * Debian revision of the pkgs.k8s.io packages (`kubeadm=1.36.5-1.1`).
 * @see https://kubernetes.io/blog/2023/08/15/pkgs-k8s-io-introduction/
 */
export const K8S_DEB_REVISION = '1.1';

/**
 * azurerm provider the `@cdktf/provider-azurerm` bindings were generated from (14.23.1 wraps
 * 4.55.0); the synthesized stacks pin exactly this. Bump together with the npm package.
 * @see https://github.com/cdktf/cdktf-provider-azurerm/releases
 */
export const AZURERM_PROVIDER_VERSION = '4.55.0';
