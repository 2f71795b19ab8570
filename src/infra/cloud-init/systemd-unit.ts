/** systemd unit files rendered from data (section -> ordered key/value pairs). */

export type UnitSection = readonly (readonly [key: string, value: string])[];

export interface UnitFile {
  readonly Unit: UnitSection;
  readonly Service: UnitSection;
  readonly Install?: UnitSection;
}

export function renderUnit(unit: UnitFile): string {
  const sections = (['Unit', 'Service', 'Install'] as const).flatMap((name) => {
    const entries = unit[name];
    if (!entries) return [];
    for (const [key, value] of entries) {
      if (!/^[A-Za-z]+$/.test(key) || value.includes('\n')) throw new Error(`bad unit entry ${key}=${JSON.stringify(value)}`);
    }
    return [`[${name}]\n${entries.map(([k, v]) => `${k}=${v}`).join('\n')}\n`];
  });
  return sections.join('\n');
}

/** containerd's upstream unit (containerd.service at the v1.7.30 tag) for the release tarball. */
export const CONTAINERD_UNIT: UnitFile = {
  Unit: [
    ['Description', 'containerd container runtime'],
    ['Documentation', 'https://containerd.io'],
    ['After', 'network.target local-fs.target dbus.service'],
  ],
  Service: [
    ['ExecStartPre', '-/sbin/modprobe overlay'],
    ['ExecStart', '/usr/local/bin/containerd'],
    ['Type', 'notify'],
    ['Delegate', 'yes'],
    ['KillMode', 'process'],
    ['Restart', 'always'],
    ['RestartSec', '5'],
    ['LimitNPROC', 'infinity'],
    ['LimitCORE', 'infinity'],
    ['LimitNOFILE', 'infinity'],
    ['TasksMax', 'infinity'],
    ['OOMScoreAdjust', '-999'],
  ],
  Install: [['WantedBy', 'multi-user.target']],
};

/**
 * Revokes the kubeadm join token once every expected node has registered (or when its TTL is
 * over), started without blocking by the control plane's bootstrap.
 */
export const JOIN_TOKEN_REVOKE_UNIT: UnitFile = {
  Unit: [
    ['Description', 'Revoke the kubeadm join token once every node has joined'],
    ['After', 'network-online.target'],
    ['Wants', 'network-online.target'],
  ],
  Service: [
    ['Type', 'oneshot'],
    ['ExecStart', '/usr/local/sbin/coco-join-token revoke-when-joined'],
  ],
};
