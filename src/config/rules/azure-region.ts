/** `infrastructure.location` must be a region that offers the confidential VM family of every VM the environment creates. */
import type { EnvironmentConfig } from '../schema';
import { confidentialFamilyOf, REGIONS_CHECKED, type ConfidentialVmFamily } from '../../shared/azure-regions';
import type { Report } from './report';

/** The confidential VM sizes an environment creates (sizes of other families have their own problem). */
function confidentialSizes(env: EnvironmentConfig): string[] {
  const { tdx, aks, peerPods } = env.infrastructure;
  if (tdx) return [tdx.controlPlane.vmSize, tdx.workers.vmSize, ...(tdx.kbsNode.enabled ? [tdx.kbsNode.vmSize] : [])];
  if (aks) return [aks.confidentialPool.vmSize];
  // Pod VMs are created in the environment's region too (AZURE_REGION).
  if (peerPods) return [peerPods.kbsPool.vmSize, peerPods.podVm.instanceSize, ...peerPods.podVm.instanceSizes];
  return [];
}

export function checkRegion(env: EnvironmentConfig, report: Report): void {
  const location = env.infrastructure.location;
  if (location === undefined || env.infrastructure.provider === 'none') return;
  const families = new Set<ConfidentialVmFamily>();
  for (const size of confidentialSizes(env)) {
    const family = confidentialFamilyOf(size);
    if (family) families.add(family);
  }
  for (const family of families) {
    if (family.regions.includes(location)) continue;
    const where = family.regions.length > 0 ? `one of ${family.regions.join(', ')}` : 'none recorded yet';
    report(
      '/infrastructure/location',
      `a region that offers ${family.tee} ${family.series} VMs (${where}, as of ${REGIONS_CHECKED}; src/shared/azure-regions.ts says how to add one)`,
      location,
    );
  }
}
