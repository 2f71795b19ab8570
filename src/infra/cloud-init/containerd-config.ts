/**
 * The node's `/etc/containerd/config.toml` (containerd 2.x), rendered from data, in the newest
 * config version the node's containerd reads: 4 from containerd 2.3 (server settings moved into
 * plugins; nothing this file sets), 3 before. An older file would load too, but containerd would
 * migrate it on every start and log a warning each time.
 *
 * Contract with the guest-components installer, which adds a drop-in under `conf.d/`: containerd
 * 2.x loads each imported file (migrated to the root's version on its own), then merges it into
 * the root config deeply, imported values winning, while `stream_processors` entries replace by id
 * (cmd/containerd/server/config/config.go, mergeConfig). So the drop-in carries everything node
 * decryption needs (stream processors, `use_local_image_pull`, `key_model`) and this file carries
 * none of it: a node without the installer pulls through the default transfer service, and
 * uninstalling the drop-in restores exactly that (test/guest-components-config.test.ts shows the
 * merge with containerd itself).
 */
import { stringify } from 'smol-toml';
import { VERSIONS } from '../../shared/versions';

/** Folder whose `*.toml` files containerd imports (the guest-components installer writes there). */
export const CONTAINERD_IMPORTS_DIR = '/etc/containerd/conf.d';
export const CONTAINERD_SOCKET = 'unix:///run/containerd/containerd.sock';

/**
 * Pause image of kubeadm 1.36 (`kubeadm config images list --kubernetes-version v1.36.5`);
 * kubeadm's preflight warns when containerd's sandbox image differs.
 */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10.2';

export interface ContainerdConfigProps {
  /**
   * containerd release on the node, e.g. `2.3.4`: decides the config version.
   * @default VERSIONS.containerd
   */
  readonly containerdVersion?: string;
  /**
   * Folder of imported drop-ins.
   * @default CONTAINERD_IMPORTS_DIR
   */
  readonly importsDir?: string;
}

/** The config version containerd `version` writes itself (`containerd config default`). */
export function containerdConfigVersion(version: string): number {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 3) ? 4 : 3;
}

export function containerdConfigToml(props: ContainerdConfigProps = {}): string {
  const importsDir = props.importsDir ?? CONTAINERD_IMPORTS_DIR;
  const config = {
    version: containerdConfigVersion(props.containerdVersion ?? VERSIONS.containerd),
    imports: [`${importsDir}/*.toml`],
    plugins: {
      'io.containerd.cri.v1.images': { pinned_images: { sandbox: SANDBOX_IMAGE } },
      'io.containerd.cri.v1.runtime': {
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
      },
    },
  };
  return `# Rendered by coco-azure-gitops (src/infra/cloud-init/containerd-config.ts). Add settings as\n# ${importsDir}/*.toml drop-ins (config version 3 or 4); see that file for how containerd merges them.\n${stringify(config).trimEnd()}\n`;
}
