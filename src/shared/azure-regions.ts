/**
 * Azure regions that offer each confidential VM family, as far as public sources confirm them.
 *
 * Azure's own documentation does not list these regions; it points to "products by region" and to
 * the CLI, whose answer also depends on the subscription (quota, preview access). So every list
 * below holds only regions a named source states, as of {@link REGIONS_CHECKED}; a region missing
 * here may well offer the family. To update a list, ask Azure (per family, e.g. DCESv5, DCESv6,
 * DCASv5, DCASv6) and add each region with its source:
 *
 *   az vm list-skus --all --size dc \
 *     --query "[?family=='standardDCESv5Family'].locationInfo[0].location" -o tsv | sort -u
 *
 * @see https://learn.microsoft.com/azure/confidential-computing/virtual-machine-options (the CLI query)
 */

/** Date the lists below were last compared with their sources. */
export const REGIONS_CHECKED = '2026-12-01';

/** One family of confidential VM sizes and where it is offered. */
export interface ConfidentialVmFamily {
  /** Series names as Azure writes them, for messages. */
  readonly series: string;
  readonly tee: 'Intel TDX' | 'AMD SEV-SNP';
  /** Size names of the family (`Standard_DC2eds_v5`). */
  readonly sizes: RegExp;
  /** Region names (`westeurope`), sorted; empty when no source states any yet. */
  readonly regions: readonly string[];
  /** Where each region comes from. */
  readonly sources: readonly string[];
}

export const CONFIDENTIAL_VM_FAMILIES: readonly ConfidentialVmFamily[] = [
  {
    series: 'DCesv5/DCedsv5/ECesv5/ECedsv5',
    tee: 'Intel TDX',
    sizes: /^Standard_(DC|EC)[0-9]+e(d)?s_v5$/,
    regions: ['centralus', 'eastus2', 'northeurope', 'westeurope'],
    sources: [
      'Intel Trust Authority client docs, Azure TDX: "Supported Region: West Europe, Central US, East US 2, North Europe" (also seed 000)',
      'the v5 family stayed in preview; openshift/release#75882 (2026-03) reports Standard_EC4es_v5 gone from westeurope, so expect it to disappear',
    ],
  },
  {
    series: 'DCesv6/DCedsv6/ECesv6/ECedsv6',
    tee: 'Intel TDX',
    sizes: /^Standard_(DC|EC)[0-9]+e(d)?s_v6$/,
    regions: ['westeurope', 'westus', 'westus3'],
    sources: [
      'GA 2026-02-27 (Azure update 558051), no region list published with it',
      'westeurope: agentrust-io/cmcp#409 (EC*es_v6 in westeurope, 2026)',
      'westus: openshift/release#75882 (Standard_EC4es_v6 in westus, 2026-03)',
      'westus3: a 2026-04 OpenShift install report (Standard_DC8es_v6 GA in westus3)',
    ],
  },
  {
    series: 'DCasv5/DCadsv5/ECasv5/ECadsv5',
    tee: 'AMD SEV-SNP',
    sizes: /^Standard_(DC|EC)[0-9]+a(d)?s_v5$/,
    regions: ['eastus', 'northeurope', 'westeurope', 'westus'],
    sources: [
      'westus, northeurope: Azure confidential VM overview (preview regions, MicrosoftDocs/azure-docs)',
      'eastus: cloud-api-adaptor Azure docs (default region for SEV-SNP peer pods, issue #976)',
      'westeurope: cloud-api-adaptor#1698 ("westeurope ... supports both tdx and snp vms")',
    ],
  },
  {
    series: 'DCasv6/DCadsv6/ECasv6/ECadsv6',
    tee: 'AMD SEV-SNP',
    sizes: /^Standard_(DC|EC)[0-9]+a(d)?s_v6$/,
    regions: [],
    sources: ['GA reported for 2026-01 without a region list; record regions here from the az query above before using the family'],
  },
];

/** The family of a confidential VM size, if it is one of the above. */
export function confidentialFamilyOf(vmSize: string): ConfidentialVmFamily | undefined {
  return CONFIDENTIAL_VM_FAMILIES.find((f) => f.sizes.test(vmSize));
}
