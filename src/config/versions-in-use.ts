/** The versioned node software an environment runs, with the config path that sets each version. */
import type { EnvironmentConfig } from './schema';
import type { VersionedComponent } from '../shared/support';

export interface VersionInUse {
  readonly component: VersionedComponent;
  readonly version: string;
  /** JSON path of the field in the environment file. */
  readonly path: string;
}

export function versionsInUse(env: EnvironmentConfig): VersionInUse[] {
  const { tdx, aks } = env.infrastructure;
  const used: VersionInUse[] = [];
  if (tdx) {
    for (const component of ['kubernetes', 'containerd', 'runc', 'cilium'] as const) {
      used.push({ component, version: tdx.versions[component], path: `/infrastructure/tdx/versions/${component}` });
    }
  }
  if (aks) used.push({ component: 'aks', version: aks.kubernetesVersion, path: '/infrastructure/aks/kubernetesVersion' });
  return used;
}
