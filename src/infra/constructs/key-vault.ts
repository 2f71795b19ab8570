import { Construct } from 'constructs';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';

/** Built-in Azure roles this product assigns on a vault, least privilege first. */
export type KeyVaultRole = 'Key Vault Secrets User' | 'Key Vault Secrets Officer' | 'Key Vault Crypto Service Release User' | 'Key Vault Crypto Officer';

export interface RbacKeyVaultProps {
  readonly resourceGroup: ResourceGroup;
  /** Globally unique vault name (config). */
  readonly name: string;
  /** Terraform logical ID of the vault, e.g. `join_key_vault`. */
  readonly logicalId: string;
  /** Entra ID tenant of the subscription (azurerm client config). */
  readonly tenantId: string;
  /**
   * Purge protection: a deleted vault and its keys stay recoverable for the retention period and
   * the name stays taken. On for profile production.
   */
  readonly purgeProtection: boolean;
  /**
   * `premium` for HSM-backed keys (secure key release needs exportable HSM keys).
   * @default standard
   */
  readonly sku?: 'standard' | 'premium';
  /**
   * Subnets allowed through the firewall (service endpoint `Microsoft.KeyVault`). Given: the data
   * plane refuses every other network. Omitted: public data plane, RBAC still required.
   * @default undefined
   */
  readonly allowedSubnetIds?: readonly string[];
  readonly tags: Record<string, string>;
}

/** A Key Vault authorised by Azure RBAC only (no access policies). */
export class RbacKeyVault extends Construct {
  readonly vault: KeyVault;

  constructor(scope: Construct, id: string, props: RbacKeyVaultProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    this.vault = new KeyVault(this, 'Vault', {
      name: props.name,
      resourceGroupName: rg.name,
      location: rg.location,
      tenantId: props.tenantId,
      skuName: props.sku ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtection,
      // Azure's maximum where recovery matters; the minimum for throw-away dev vaults.
      softDeleteRetentionDays: props.purgeProtection ? 90 : 7,
      ...(props.allowedSubnetIds ? { networkAcls: { defaultAction: 'Deny', bypass: 'None', virtualNetworkSubnetIds: [...props.allowedSubnetIds] } } : {}),
      tags: props.tags,
    });
    this.vault.overrideLogicalId(props.logicalId);
  }

  /**
   * Grants `role` on this vault (vault scope: azurerm cannot scope to a secret that does not
   * exist yet). `principalType` is set for managed identities so Azure does not wait for Entra ID
   * replication; leave it out for the deploying user, whose type is not known.
   */
  grant(logicalId: string, principalId: string, role: KeyVaultRole, principalType?: 'ServicePrincipal'): RoleAssignment {
    const assignment = new RoleAssignment(this, logicalId, { scope: this.vault.id, roleDefinitionName: role, principalId, ...(principalType ? { principalType } : {}) });
    assignment.overrideLogicalId(logicalId);
    return assignment;
  }
}
