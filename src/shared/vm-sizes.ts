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
