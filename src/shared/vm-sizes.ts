/**
 * Azure confidential VM size families.
 * @see https://learn.microsoft.com/azure/confidential-computing/virtual-machine-options
 */

/** Intel TDX: DCesv5/DCedsv5/ECesv5/ECedsv5 and the v6 families (DCesv6 GA 2026-02). */
export const INTEL_TDX_SIZE = /^Standard_(DC|EC)[0-9]+e(d)?s_v[56]$/;

/** AMD SEV-SNP: DCasv5/DCadsv5/ECasv5/ECadsv5 and v6. */
export const AMD_SEV_SNP_SIZE = /^Standard_(DC|EC)[0-9]+a(d)?s_v[56]$/;

export function isIntelTdxSize(size: string): boolean {
  return INTEL_TDX_SIZE.test(size);
}

export function isConfidentialSize(size: string): boolean {
  return INTEL_TDX_SIZE.test(size) || AMD_SEV_SNP_SIZE.test(size);
}

/** vCPUs and memory of a VM size. */
export interface VmSizeShape {
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/**
 * vCPUs and memory of the Azure sizes this product uses, from the size name: the number after the
 * family letters is the vCPU count; memory per vCPU is 4 GiB for the D and DC families and 8 GiB
 * for the E and EC families (DCesv5, DCasv5, Dsv5: 4 GiB; ECesv5, ECasv5, Esv5: 8 GiB).
 * @see https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/dcesv5-series
 */
export function vmSizeShape(size: string): VmSizeShape {
  const m = /^Standard_(DC|EC|D|E)([0-9]+)[a-z]*_v[56]$/.exec(size);
  if (!m) throw new Error(`unknown VM size shape: ${size} (expected a D, DC, E or EC v5/v6 size)`);
  const vcpus = Number(m[2]);
  return { vcpus, memoryGiB: vcpus * (m[1].startsWith('E') ? 8 : 4) };
}
