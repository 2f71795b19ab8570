// Environments and synthesized stacks for the infrastructure tests. The environments are built
// here (not read from config/environments/) so that other sections' work in progress cannot
// break these tests; test/config.test.ts checks the shipped files load.
import { Testing } from 'cdktf';
import type { LoadedEnvironment } from '../src/config/load';
import { validateEnvironmentData } from '../src/config/load';
import { EnvironmentStack } from '../src/infra/stacks/environment-stack';

export type Data = Record<string, unknown>;

const components = { kbs: { enabled: false }, guestComponents: { enabled: false }, runtime: { enabled: false }, workloads: { namespace: 'coco-demo' } };
// Production deploys a release tag, as the shipped production files do (src/config/rules/gitops.ts).
const gitops = { repoURL: 'https://github.com/example-org/coco-azure-gitops.git', targetRevision: 'v0.1.0' };

/** The shipped azure-tdx infrastructure section (production). */
export function tdxData(): Data {
  return {
    profile: 'production',
    infrastructure: {
      provider: 'azure-tdx',
      location: 'westeurope',
      resourceGroup: 'rg-coco-azure-tdx',
      tags: { project: 'confidential-containers' },
      network: { adminSourceCidrs: ['203.0.113.0/24'] },
      tdx: {
        sshPublicKey: { path: '~/.ssh/id_ed25519.pub' },
        keyVaultName: 'kv-coco-azure-tdx',
        image: { version: '22.04.202510150' },
      },
    },
    ...structuredClone(components),
    gitops,
  };
}

/** The shipped aks-cvm infrastructure section (production). */
export function aksData(): Data {
  return {
    profile: 'production',
    infrastructure: {
      provider: 'aks-cvm',
      location: 'westeurope',
      resourceGroup: 'rg-coco-aks-cvm',
      network: { adminSourceCidrs: ['203.0.113.0/24'] },
      aks: { attestationProviderName: 'cocoakscvmmaa', keyVaultName: 'kv-coco-aks-cvm' },
    },
    ...structuredClone(components),
    gitops,
  };
}

/** Sets `value` at a `/`-separated path, creating objects on the way. */
export function set(data: Data, path: string, value: unknown): Data {
  const keys = path.split('/').filter((k) => k !== '');
  let node: Data = data;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Data;
  }
  node[keys[keys.length - 1]] = value;
  return data;
}

/** `path: expected ...` lines of every problem (schema and semantic rules). */
export function problems(data: Data): string[] {
  return validateEnvironmentData(data).problems.map((p) => `${p.path}: expected ${p.expected}, found ${p.found}`);
}

export function environment(data: Data, name = 'azure-tdx'): LoadedEnvironment {
  const { config, problems: found } = validateEnvironmentData(data);
  if (!config || found.length > 0) throw new Error(`invalid test environment: ${JSON.stringify(found)}`);
  return { name, file: `config/environments/${name}.yaml`, config };
}

export interface SynthesizedStack {
  readonly text: string;
  readonly json: {
    terraform: Record<string, unknown>;
    resource: Record<string, Record<string, Record<string, unknown>>>;
    data: Record<string, Record<string, Record<string, unknown>>>;
    output: Record<string, { value: unknown; description?: string }>;
  };
}

export function synthStack(data: Data, name = 'azure-tdx'): SynthesizedStack {
  const stack = new EnvironmentStack(Testing.app(), environment(data, name));
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as SynthesizedStack['json'] };
}

/** The decoded cloud-init user data of every VM, by Terraform logical ID. */
export function userData(stack: SynthesizedStack): Record<string, string> {
  const vms = stack.json.resource.azurerm_linux_virtual_machine ?? {};
  return Object.fromEntries(Object.entries(vms).map(([id, vm]) => [id, Buffer.from(String(vm.custom_data), 'base64').toString('utf8')]));
}
