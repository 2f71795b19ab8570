/**
 * The cloud-init user data (`custom_data`) of each azure-tdx node, built as data and rendered as
 * YAML. It holds no secret: the join token travels through Key Vault (see scripts.ts), and the
 * node's identity, not a credential, authorises that.
 */
import { stringify } from '../../shared/yaml11';
import { K8S_DEB_REVISION, kubernetesMinor, NODE_ARTIFACT_SHA256, NODE_CILIUM_CLI_VERSION } from '../../shared/versions';
import { ciliumValuesYaml } from './cilium-values';
import { containerdConfigToml } from './containerd-config';
import { API_SERVER_PORT, kubeadmInitYaml, kubeadmJoinJson, type NodeRegistration } from './kubeadm-config';
import { durationSeconds, renderNodeEnv, type NodeEnv } from './node-env';
import { JOIN_SECRETS, JOIN_TOKEN_SH, KUBEADM_INIT_SH, KUBEADM_JOIN_SH, LIB_SH, NODE_INSTALL_SH, NODE_PATHS } from './scripts';
import { CONTAINERD_UNIT, JOIN_TOKEN_REVOKE_UNIT, renderUnit } from './systemd-unit';

export type NodeRole = 'control-plane' | 'worker' | 'kbs';

export interface NodeVersions {
  /** Exact Kubernetes version (kubeadm, kubelet, kubectl), e.g. 1.36.5. */
  readonly kubernetes: string;
  /** containerd 2.x with a checksum in NODE_ARTIFACT_SHA256 (rules/versions.ts). */
  readonly containerd: string;
  readonly runc: string;
  /** Cilium version (`cilium install --version`). */
  readonly cilium: string;
}

export interface NodeCloudConfigProps {
  readonly role: NodeRole;
  /** Cluster name (the environment name). */
  readonly clusterName: string;
  readonly versions: NodeVersions;
  /** The control plane's static private IP (API endpoint for every node). */
  readonly apiServerAddress: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Key Vault that carries the join token. */
  readonly keyVaultName: string;
  /** Join token lifetime, `30m` or `2h` style. */
  readonly joinTokenTtl: string;
  /** Nodes the cluster should end up with (control plane: revoke the token once all joined). */
  readonly expectedNodes: number;
  /** Labels and taints the kubelet registers with (joining nodes). */
  readonly registration: NodeRegistration;
  /**
   * Folders local PersistentVolumes of this node point at (the kubelet does not create them):
   * made root-only at every boot.
   * @default []
   */
  readonly localVolumeDirs?: readonly string[];
}

/** A cloud-config `write_files` item. */
export interface WriteFile {
  readonly path: string;
  readonly permissions: string;
  readonly owner: string;
  readonly content: string;
}

/** The parts of a cloud-config this product uses. */
export interface CloudConfig {
  readonly package_update: boolean;
  readonly package_upgrade: boolean;
  readonly packages: readonly string[];
  readonly write_files: readonly WriteFile[];
  readonly runcmd: readonly (readonly string[])[];
}

/** How long joining nodes wait for the control plane to publish a token. */
export const JOIN_WAIT_SECONDS = 3600;

const file = (path: string, content: string, permissions = '0644'): WriteFile => ({ path, permissions, owner: 'root:root', content });

function pinned(table: Readonly<Record<string, string>>, what: string, version: string): string {
  const sha = table[version.replace(/^v/, '')];
  // The config rules refuse versions without a checksum; reaching this is a programming error.
  if (sha === undefined) throw new Error(`no pinned sha256 for ${what} ${version}`);
  return sha;
}

function nodeEnv(p: NodeCloudConfigProps): NodeEnv {
  const k8s = p.versions.kubernetes.replace(/^v/, '');
  const common: NodeEnv = {
    NODE_ROLE: p.role,
    LOCAL_VOLUME_DIRS: (p.localVolumeDirs ?? []).join(' '),
    KUBERNETES_MINOR: kubernetesMinor(k8s),
    KUBERNETES_PACKAGE_VERSION: `${k8s}-${K8S_DEB_REVISION}`,
    CONTAINERD_VERSION: p.versions.containerd.replace(/^v/, ''),
    CONTAINERD_SHA256: pinned(NODE_ARTIFACT_SHA256.containerd, 'containerd', p.versions.containerd),
    RUNC_VERSION: p.versions.runc.replace(/^v/, ''),
    RUNC_SHA256: pinned(NODE_ARTIFACT_SHA256.runc, 'runc', p.versions.runc),
    KEY_VAULT_NAME: p.keyVaultName,
    JOIN_TOKEN_SECRET: JOIN_SECRETS.token,
    JOIN_CA_HASH_SECRET: JOIN_SECRETS.caCertHash,
  };
  if (p.role !== 'control-plane') return { ...common, JOIN_WAIT_SECONDS };
  return {
    ...common,
    JOIN_TOKEN_TTL: p.joinTokenTtl,
    JOIN_TOKEN_TTL_SECONDS: durationSeconds(p.joinTokenTtl),
    EXPECTED_NODES: p.expectedNodes,
    CILIUM_CLI_VERSION: NODE_CILIUM_CLI_VERSION,
    CILIUM_CLI_SHA256: pinned(NODE_ARTIFACT_SHA256.ciliumCli, 'cilium CLI', NODE_CILIUM_CLI_VERSION),
    CILIUM_VERSION: p.versions.cilium.replace(/^v/, ''),
  };
}

export function nodeCloudConfig(p: NodeCloudConfigProps): CloudConfig {
  const common = [
    file('/etc/modules-load.d/kubernetes.conf', 'overlay\nbr_netfilter\n'),
    file('/etc/sysctl.d/90-kubernetes.conf', 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n'),
    file(NODE_PATHS.containerdConfig, containerdConfigToml({ containerdVersion: p.versions.containerd })),
    file(NODE_PATHS.containerdUnit, renderUnit(CONTAINERD_UNIT)),
    // Names and versions only, but root-only all the same: nothing else on the node needs it.
    file(NODE_PATHS.env, renderNodeEnv(nodeEnv(p)), '0600'),
    file(NODE_PATHS.lib, LIB_SH),
    file(NODE_PATHS.install, NODE_INSTALL_SH, '0755'),
  ];
  const endpoint = `${p.apiServerAddress}:${API_SERVER_PORT}`;
  const roleFiles =
    p.role === 'control-plane'
      ? [
          file(
            NODE_PATHS.kubeadmInit,
            kubeadmInitYaml({ clusterName: p.clusterName, kubernetesVersion: p.versions.kubernetes, advertiseAddress: p.apiServerAddress, podCidr: p.podCidr, serviceCidr: p.serviceCidr, initTokenTtl: '10m' }),
            '0600',
          ),
          file(NODE_PATHS.ciliumValues, ciliumValuesYaml({ apiServerHost: p.apiServerAddress, apiServerPort: API_SERVER_PORT, podCidr: p.podCidr })),
          file(NODE_PATHS.init, KUBEADM_INIT_SH, '0755'),
          file(NODE_PATHS.joinToken, JOIN_TOKEN_SH, '0755'),
          file(NODE_PATHS.revokeUnit, renderUnit(JOIN_TOKEN_REVOKE_UNIT)),
        ]
      : [file(NODE_PATHS.kubeadmJoin, kubeadmJoinJson({ apiServerEndpoint: endpoint, registration: p.registration }), '0600'), file(NODE_PATHS.join, KUBEADM_JOIN_SH, '0755')];
  return {
    package_update: true,
    // Upgrades (and the reboots they ask for) wait for unattended-upgrades, after bootstrap.
    package_upgrade: false,
    packages: ['apt-transport-https', 'ca-certificates', 'conntrack', 'curl', 'gpg', 'jq'],
    write_files: [...common, ...roleFiles],
    // One entry: cloud-init's runcmd keeps going after a failed command, the script does not.
    runcmd: [[p.role === 'control-plane' ? NODE_PATHS.init : NODE_PATHS.join]],
  };
}

/** The user data text: `#cloud-config` and the YAML document. */
export function renderCloudConfig(config: CloudConfig): string {
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
