/**
 * Where the guest components live on the node and inside the installer pod. The rendered files
 * (units, drop-in, configs) and the installer's environment are both built from these values,
 * so the script (images/guest-components/installer.sh) and the files it installs cannot drift.
 */

/** Paths on the node. The installer owns `prefix` whole (uninstall empties it). */
export const HOST = {
  /** Binaries (`bin/`), the shared libraries of AA and CDH (`lib/`) and their configs (`etc/`). */
  prefix: '/opt/coco-guest-components',
  /**
   * AA, CDH and ocicrypt configs, and the installer's state (`installer-state/`): inside `prefix`,
   * so one hostPath mount covers everything the installer owns.
   */
  etc: '/opt/coco-guest-components/etc',
  unitDir: '/etc/systemd/system',
  aaUnit: 'coco-attestation-agent.service',
  cdhUnit: 'coco-confidential-data-hub.service',
  /** Main containerd config written by the infrastructure (cloud-init). */
  containerdConfig: '/etc/containerd/config.toml',
  /**
   * Our drop-in: matches the node config's `imports = ["/etc/containerd/conf.d/*.toml"]`; the
   * installer adds an import of this exact file where a node config has none.
   */
  containerdDropIn: '/etc/containerd/conf.d/50-coco-guest-components.toml',
  /** containerd's default `--decryption-keys-path` for ctd-decoder (must exist, may be empty). */
  decryptionKeysDir: '/etc/containerd/ocicrypt/keys',
  /** Fixed upstream: where CDH's cc_kbc looks for AA (kbs_protocol token_provider/aa, v0.21.0). */
  aaSocket: '/run/confidential-containers/attestation-agent/attestation-agent.sock',
  /** Fixed upstream: offline_fs_kbc resources file (kms/src/plugins/kbs/offline_fs.rs, v0.21.0). */
  offlineResources: '/etc/aa-offline_fs_kbc-resources.json',
} as const;

export const HOST_BIN = `${HOST.prefix}/bin`;
export const HOST_LIB = `${HOST.prefix}/lib`;
export const HOST_AA_CONFIG = `${HOST.etc}/attestation-agent.toml`;
export const HOST_CDH_CONFIG = `${HOST.etc}/confidential-data-hub.toml`;
export const HOST_OCICRYPT_CONFIG = `${HOST.etc}/ocicrypt_keyprovider.conf`;

/**
 * The host folders the installer pod mounts (at `POD.hostRoot` + the same path), and nothing
 * else of the host's file system: what it installs, what it changes, and the AA socket it probes.
 * `create`: the kubelet creates a missing folder (hostPath DirectoryOrCreate).
 */
export const HOST_MOUNTS = [
  { name: 'host-install', path: HOST.prefix, create: true, readOnly: false },
  { name: 'host-containerd', path: '/etc/containerd', create: true, readOnly: false },
  { name: 'host-systemd', path: HOST.unitDir, create: false, readOnly: false },
  // HostToContainer: the socket AA creates after the pod started becomes visible; connecting to
  // a unix socket needs no write access to its file system.
  { name: 'host-aa-run', path: '/run/confidential-containers', create: true, readOnly: true },
] as const;

/** Paths inside the installer container. */
export const POD = {
  /** Where the host folders of HOST_MOUNTS appear, each at its host path below this. */
  hostRoot: '/host',
  /**
   * Binaries (`bin/`), libraries (`lib/`) and their manifest `SHA256SUMS`, baked into the
   * installer image (docs/guest-components.md, "Image contract").
   */
  payload: '/payload',
  /** The node-config ConfigMap. */
  config: '/etc/coco-guest-components/config',
  /** The installer ConfigMap. */
  installer: '/etc/coco-guest-components/installer',
  /** Secret with the KBS CA certificate. */
  kbsCa: '/etc/coco-guest-components/kbs-ca',
  /** DEV ONLY: Secret with the offline_fs_kbc resources. */
  offlineResources: '/etc/coco-guest-components/offline-resources',
  /** emptyDir: install/uninstall completion markers and temp files. */
  state: '/run/coco-guest-components',
} as const;

/** Keys of the node-config ConfigMap: file names the installer reads from POD.config. */
export const NODE_FILES = {
  aaConfig: 'attestation-agent.toml',
  cdhConfig: 'confidential-data-hub.toml',
  ocicrypt: 'ocicrypt_keyprovider.conf',
  containerdDropIn: 'containerd-drop-in.toml',
  aaUnit: HOST.aaUnit,
  cdhUnit: HOST.cdhUnit,
} as const;

/** Key of the installer ConfigMap. */
export const INSTALLER_FILE = 'installer.sh';
