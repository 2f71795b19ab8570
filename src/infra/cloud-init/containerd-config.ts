/**
 * The node's `/etc/containerd/config.toml` (containerd 1.7, config version 2), rendered from data.
 *
 * Contract with the guest-components installer, which adds files under `conf.d/`: containerd 1.x
 * merges an imported file by replacing whole `[plugins."<id>"]` tables and `stream_processors`
 * entries by key. An import that declares `[plugins."io.containerd.grpc.v1.cri"...]` therefore
 * drops everything this file sets for the CRI plugin (SystemdCgroup included). So the CRI settings
 * node-level decryption needs (`image_decryption.key_model = "node"`) live here, and imports add
 * only `stream_processors` (test/infra-node-config.test.ts shows both cases with containerd itself).
 */
import { stringify } from 'smol-toml';

/** Folder whose `*.toml` files containerd imports (the guest-components installer writes there). */
export const CONTAINERD_IMPORTS_DIR = '/etc/containerd/conf.d';
export const CONTAINERD_SOCKET = 'unix:///run/containerd/containerd.sock';

/**
 * Pause image of kubeadm 1.31 (`kubeadm config images list`); containerd 1.7 defaults to 3.8 and
 * kubeadm's preflight warns when they differ.
 */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';

export interface ContainerdConfigProps {
  /**
   * Folder of imported drop-ins.
   * @default CONTAINERD_IMPORTS_DIR
   */
  readonly importsDir?: string;
}

export function containerdConfigToml(props: ContainerdConfigProps = {}): string {
  const cri = {
    sandbox_image: SANDBOX_IMAGE,
    containerd: {
      default_runtime_name: 'runc',
      runtimes: {
        runc: {
          runtime_type: 'io.containerd.runc.v2',
          // kubeadm configures the kubelet for the systemd cgroup driver; both must agree.
          options: { SystemdCgroup: true },
        },
      },
    },
    // Decryption keys come from the node (ctd-decoder -> confidential-data-hub), not from the
    // kubelet; harmless where no image is encrypted.
    image_decryption: { key_model: 'node' },
  };
  const config = {
    version: 2,
    imports: [`${props.importsDir ?? CONTAINERD_IMPORTS_DIR}/*.toml`],
    plugins: { 'io.containerd.grpc.v1.cri': cri },
  };
  return `# Rendered by coco-azure-gitops (src/infra/cloud-init/containerd-config.ts). Add settings as\n# ${props.importsDir ?? CONTAINERD_IMPORTS_DIR}/*.toml drop-ins; see that file for what an import may declare.\n${stringify(config).trimEnd()}\n`;
}
