/** The versioned node software an environment runs, with the config path that sets each version. */
import type { EnvironmentConfig } from './schema';
import type { PinnedComponent, VersionedComponent } from '../shared/support';
import { VERSIONS } from '../shared/versions';

export interface VersionInUse {
  readonly component: VersionedComponent;
  readonly version: string;
  /** JSON path of the field in the environment file. */
  readonly path: string;
}

export function versionsInUse(env: EnvironmentConfig): VersionInUse[] {
  const { tdx, aks, peerPods } = env.infrastructure;
  const used: VersionInUse[] = [];
  if (tdx) {
    for (const component of ['kubernetes', 'containerd', 'runc', 'cilium'] as const) {
      used.push({ component, version: tdx.versions[component], path: `/infrastructure/tdx/versions/${component}` });
    }
  }
  if (aks) used.push({ component: 'aks', version: aks.kubernetesVersion, path: '/infrastructure/aks/kubernetesVersion' });
  // The peer-pods cluster is AKS too: same release calendar, same production gate.
  if (peerPods && env.infrastructure.provider === 'aks-peer-pods') {
    used.push({ component: 'aks', version: peerPods.kubernetesVersion, path: '/infrastructure/peerPods/kubernetesVersion' });
  }
  return used;
}

/** Names of the pinned charts in POSTURE.md and versions.json (src/review/versions.ts keys its upgrade notes on them). */
export const PEERPODS_VERSION_NAME = 'peerpods chart (cloud-api-adaptor)';
export const CERT_MANAGER_VERSION_NAME = 'cert-manager chart';

/** A release the code pins for an environment (src/shared/versions.ts), with its support table (PINNED_SUPPORT). */
export interface PinnedVersionInUse {
  readonly component: PinnedComponent;
  /** What runs at this version, for POSTURE.md and versions.json. */
  readonly name: string;
  readonly version: string;
}

/**
 * The pinned upstream charts an environment installs besides the matched CoCo release set: on
 * aks-peer-pods the peerpods chart (cloud-api-adaptor) and cert-manager, which its webhook needs.
 * Same condition as the runtime component's Applications (src/k8s/runtime/index.ts).
 */
export function pinnedVersionsInUse(env: EnvironmentConfig): PinnedVersionInUse[] {
  if (env.infrastructure.provider !== 'aks-peer-pods' || !env.runtime.enabled || env.infrastructure.peerPods === undefined) return [];
  return [
    // Names stay the same across versions: `npm run review` pairs versions by name.
    { component: 'peerpods', name: PEERPODS_VERSION_NAME, version: VERSIONS.peerpodsChart },
    { component: 'certManager', name: CERT_MANAGER_VERSION_NAME, version: VERSIONS.certManagerChart },
  ];
}
