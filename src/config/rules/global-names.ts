/**
 * Names that must differ between environments: Azure makes Key Vault and attestation provider names
 * globally unique, resource group names unique per subscription, and two stacks sharing one azurerm
 * state blob overwrite each other. Environment files carry no subscription id, so environments of
 * one repository are taken to share one subscription (the safe assumption: a clash found here
 * fails at deploy time otherwise, usually halfway through).
 */
import type { EnvironmentConfig } from '../schema';

/** The same name in two environments (indexes into the checked list; `first` comes first). */
export interface NameClash {
  readonly first: { readonly index: number; readonly path: string };
  readonly second: { readonly index: number; readonly path: string };
  /** What the name is, for the message: "a Key Vault name". */
  readonly what: string;
  /** Why it must differ. */
  readonly why: string;
  readonly value: string;
}

interface NamedValue {
  readonly path: string;
  readonly value: string;
  /** What is compared: Azure compares resource names without case. */
  readonly key: string;
}

/** One kind of name: where environments set it and how Azure compares it. */
interface NameKind {
  readonly what: string;
  readonly why: string;
  readonly values: (env: EnvironmentConfig) => NamedValue[];
}

const present = (path: string, value: string | undefined): NamedValue[] => (value === undefined ? [] : [{ path, value, key: value.toLowerCase() }]);

const KINDS: readonly NameKind[] = [
  {
    what: 'a Key Vault name',
    why: 'Key Vault names are globally unique in Azure',
    values: (env) => [...present('/infrastructure/tdx/keyVaultName', env.infrastructure.tdx?.keyVaultName), ...present('/infrastructure/aks/keyVaultName', env.infrastructure.aks?.keyVaultName)],
  },
  {
    what: 'an attestation provider name',
    why: 'attestation provider names are globally unique in Azure',
    values: (env) => present('/infrastructure/aks/attestationProviderName', env.infrastructure.aks?.attestationProviderName),
  },
  {
    what: 'a resource group name',
    why: 'resource group names are unique in a subscription, and the environments of one repository are taken to share one',
    values: (env) => (env.infrastructure.provider === 'none' ? [] : present('/infrastructure/resourceGroup', env.infrastructure.resourceGroup)),
  },
  {
    what: 'a Terraform state (storage account, container and key)',
    why: 'two stacks in one state blob overwrite each other',
    values: (env) => {
      const b = env.infrastructure.backend;
      if (env.infrastructure.provider === 'none' || b.type !== 'azurerm' || !b.storageAccountName || !b.containerName || !b.key) return [];
      // Blob container and blob names are case-sensitive; storage account names are lowercase anyway.
      return [{ path: '/infrastructure/backend/key', value: b.key, key: `${b.storageAccountName}/${b.containerName}/${b.key}` }];
    },
  },
];

/** Every name used by more than one environment, reported at each later use. */
export function checkGlobalNames(envs: readonly EnvironmentConfig[]): NameClash[] {
  const clashes: NameClash[] = [];
  for (const kind of KINDS) {
    const owners = new Map<string, { index: number; path: string }>();
    envs.forEach((env, index) => {
      for (const { path, value, key } of kind.values(env)) {
        const owner = owners.get(key);
        if (owner && owner.index !== index) clashes.push({ first: owner, second: { index, path }, what: kind.what, why: kind.why, value });
        else if (!owner) owners.set(key, { index, path });
      }
    });
  }
  return clashes;
}
