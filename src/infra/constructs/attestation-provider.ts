import { Construct } from 'constructs';
import { AttestationProvider } from '@cdktf/provider-azurerm/lib/attestation-provider';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';

export interface MaaProviderProps {
  readonly resourceGroup: ResourceGroup;
  /** 3-24 lowercase letters and digits, globally unique (validated by the config schema). */
  readonly name: string;
  readonly tags: Record<string, string>;
}

/**
 * A Microsoft Azure Attestation provider with Azure's default policies: the attestation demo
 * sends the CVM's evidence to its endpoint and gets back the signed token seed 004 prints.
 */
export class MaaProvider extends Construct {
  readonly provider: AttestationProvider;

  constructor(scope: Construct, id: string, props: MaaProviderProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    this.provider = new AttestationProvider(this, 'Provider', { name: props.name, resourceGroupName: rg.name, location: rg.location, tags: props.tags });
    this.provider.overrideLogicalId('attestation_provider');
  }
}
