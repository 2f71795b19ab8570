import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { listEnvironments, loadEnvironment, resolveEnvironmentNames } from '../src/config/load';
import { loadAllEnvironments } from '../src/config/load-all';
import { formatProblem, UserInputError } from '../src/config/errors';
import { PATTERN_MESSAGE_KEYWORD, schemaJson } from '../src/config/schema-file';
import { CONFIDENTIAL_VM_FAMILIES } from '../src/shared/azure-regions';
import { envProblems, makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';
import { VERSIONS } from '../src/shared/versions';
import { SHIPPED_ENVIRONMENTS, SHIPPED_LIST } from './support/shipped';

const problemsOf = envProblems;

const tdx = readEnvFile('azure-tdx');
const dev = readEnvFile('coco-dev');

describe('shipped environments', () => {
  it.each(SHIPPED_ENVIRONMENTS)('%s loads without problems', (name) => {
    const env = loadEnvironment(repoRoot(), name);
    expect(env.name).toBe(name);
    expect(env.file).toBe(`config/environments/${name}.yaml`);
  });

  it('lists environments sorted by file name', () => {
    expect(listEnvironments(repoRoot())).toEqual([...SHIPPED_ENVIRONMENTS]);
  });

  it('applies documented defaults in the loader', () => {
    const { config } = loadEnvironment(repoRoot(), 'coco-dev');
    expect(config.gitops.argocdNamespace).toBe('argocd');
    expect(config.gitops.destinationServer).toBe('https://kubernetes.default.svc');
    expect(config.kubernetesVersion).toBe(VERSIONS.kubernetes.split('.').slice(0, 2).join('.'));
    expect(config.devSwitches.enableInsecurityDemos).toBe(false);
    const { config: azure } = loadEnvironment(repoRoot(), 'azure-tdx');
    expect(azure.infrastructure.tdx?.versions.containerd).toBe(VERSIONS.containerd);
    expect(azure.infrastructure.tdx?.osDiskSecurityEncryptionType).toBe('VMGuestStateOnly');
    expect(azure.infrastructure.backend).toEqual({ type: 'local' });
  });
});

describe('bad input is reported with file, line, path, expected and found', () => {
  it('unknown key, at the line of the key, listing the allowed keys', () => {
    const [p, ...rest] = problemsOf(dev.replace('  targetRevision: main', '  targetRevision: main\n  autoSync: true'));
    expect(rest).toEqual([]);
    expect(p).toMatch(/^config\/environments\/broken\.yaml:\d+:3: \/gitops\/autoSync: expected one of the keys repoURL, targetRevision, trackingBranches, allowTrackingBranch, argocdNamespace, destinationServer, automated, prune, selfHeal, found unknown key "autoSync"$/);
  });

  it('YAML syntax error', () => {
    const [p] = problemsOf('profile: dev\ninfrastructure: [provider: none\n');
    expect(p).toMatch(/^config\/environments\/broken\.yaml:\d+:\d+: -: expected valid YAML, found .+/);
  });

  it('duplicate key is a YAML error', () => {
    const [p] = problemsOf(`${dev}\nprofile: production\n`);
    expect(p).toContain('expected valid YAML, found Map keys must be unique');
  });

  it('a list instead of a mapping', () => {
    const text = dev.replace(/devSwitches:\n[\s\S]*$/, 'devSwitches:\n  - allowSampleTeePolicy\n');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/broken\.yaml:\d+:1: \/devSwitches: expected a mapping, found a list \(1 item\)$/)]);
  });

  it('the whole document is a list', () => {
    expect(problemsOf('- a\n- b\n')).toEqual(['config/environments/broken.yaml:1:1: /: expected a mapping, found a list (2 items)']);
  });

  it('an empty file', () => {
    expect(problemsOf('')).toEqual([expect.stringContaining('found an empty document')]);
  });

  it('wrong type', () => {
    expect(problemsOf(dev.replace('targetRevision: main', 'targetRevision: 42'))).toEqual([expect.stringMatching(/\/gitops\/targetRevision: expected a string, found number 42$/)]);
  });

  it('out-of-range value', () => {
    const text = tdx.replace('    workers:\n      count: 1', '    workers:\n      count: 0');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/:\d+:7: \/infrastructure\/tdx\/workers\/count: expected a number >= 1, found number 0$/)]);
  });

  it('enum value', () => {
    expect(problemsOf(dev.replace('profile: dev', 'profile: prod'))).toEqual([expect.stringMatching(/broken\.yaml:4:1: \/profile: expected one of "dev", "production", found string "prod"$/)]);
  });

  it('pattern with a human description', () => {
    expect(problemsOf(tdx.replace('vnetCidr: 10.0.0.0/16', 'vnetCidr: 10.0.0.0/33'))).toEqual([
      expect.stringMatching(/\/infrastructure\/network\/vnetCidr: expected an IPv4 CIDR such as 10\.0\.0\.0\/16, found string "10\.0\.0\.0\/33"$/),
    ]);
  });

  it('missing required key', () => {
    expect(problemsOf(dev.replace(/gitops:\n  repoURL: .*\n/, 'gitops:\n'))).toEqual([expect.stringMatching(/\/gitops\/repoURL: expected required key "repoURL", found nothing$/)]);
  });

  it('reports every problem of a file at once', () => {
    const text = dev.replace('profile: dev', 'profile: prod').replace('targetRevision: main', 'targetRevision: 42');
    expect(problemsOf(text)).toHaveLength(2);
  });
});

describe('semantic rules', () => {
  it('subnet outside the VNet', () => {
    expect(problemsOf(tdx.replace('kbs: 10.0.3.0/24', 'kbs: 10.1.3.0/24'))).toEqual([expect.stringMatching(/\/infrastructure\/network\/subnets\/kbs: expected a range inside vnetCidr 10\.0\.0\.0\/16, found string "10\.1\.3\.0\/24"$/)]);
  });

  it('overlapping subnets', () => {
    expect(problemsOf(tdx.replace('worker: 10.0.2.0/24', 'worker: 10.0.1.128/25'))).toEqual([expect.stringContaining('/infrastructure/network/subnets/worker: expected a range not overlapping controlPlane (10.0.1.0/24)')]);
  });

  it('host bits set', () => {
    expect(problemsOf(tdx.replace('worker: 10.0.2.0/24', 'worker: 10.0.2.7/24'))).toEqual([expect.stringContaining('/infrastructure/network/subnets/worker: expected a network address with no host bits set')]);
  });

  it('pod network overlapping the VNet', () => {
    const text = tdx.replace('    adminSourceCidrs:', '    podCidr: 10.0.128.0/17\n    adminSourceCidrs:');
    expect(problemsOf(text)).toEqual([expect.stringContaining('/infrastructure/network/podCidr: expected a range outside vnetCidr 10.0.0.0/16')]);
  });

  it('non-confidential VM size', () => {
    const text = tdx.replace('    workers:\n      count: 1\n      vmSize: Standard_DC2eds_v5', '    workers:\n      count: 1\n      vmSize: Standard_D2s_v5');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/\/infrastructure\/tdx\/workers\/vmSize: expected an Intel TDX confidential VM size .*, found string "Standard_D2s_v5"$/)]);
  });

  it('AMD size on the TDX cluster, Intel size accepted for the AKS confidential pool', () => {
    expect(problemsOf(tdx.replace('    kbsNode:\n      enabled: true\n      vmSize: Standard_DC2eds_v5', '    kbsNode:\n      enabled: true\n      vmSize: Standard_DC2as_v5'))).toEqual([
      expect.stringContaining('/infrastructure/tdx/kbsNode/vmSize: expected an Intel TDX'),
    ]);
    expect(problemsOf(readEnvFile('aks-cvm').replace('vmSize: Standard_DC2as_v5', 'vmSize: Standard_DC4es_v5'))).toEqual([]);
    expect(problemsOf(readEnvFile('aks-cvm').replace('vmSize: Standard_DC2as_v5', 'vmSize: Standard_D4s_v5'))).toEqual([expect.stringContaining('/infrastructure/aks/confidentialPool/vmSize: expected a confidential VM size')]);
  });

  it('provider sections must match the provider', () => {
    const text = dev.replace('  provider: none', '  provider: azure-tdx');
    expect(problemsOf(text)).toEqual([
      expect.stringContaining('/infrastructure/location: expected an Azure region (required for provider azure-tdx), found nothing'),
      expect.stringContaining('/infrastructure/resourceGroup: expected a resource group name'),
      expect.stringContaining('/infrastructure/tdx: expected a mapping (required for provider azure-tdx)'),
      expect.stringContaining('/runtime/runtimeClasses/0: expected kata-remote (provider azure-tdx'),
    ]);
  });

  it('ssh key: exactly one of path or value', () => {
    const text = tdx.replace('      path: ~/.ssh/id_ed25519.pub   # read by Terraform on your machine at plan time', '      path: ~/.ssh/id.pub\n      value: ssh-ed25519 AAAAC3Nza me@host');
    expect(problemsOf(text)).toEqual([expect.stringContaining('/infrastructure/tdx/sshPublicKey: expected exactly one of "path" or "value", found a mapping')]);
  });

  it('two components in one namespace', () => {
    expect(problemsOf(dev.replace('workloads:\n  namespace: coco-demo', 'workloads:\n  namespace: coco-tenant'))).toEqual([
      expect.stringContaining('/workloads/namespace: expected a namespace not already used by /kbs/namespace'),
    ]);
  });

  it('azurerm backend needs all its fields', () => {
    const text = tdx.replace('  tags:', '  backend:\n    type: azurerm\n    storageAccountName: cocostate\n  tags:');
    expect(problemsOf(text)).toEqual([
      expect.stringContaining('/infrastructure/backend/resourceGroupName: expected a value (required for the azurerm backend)'),
      expect.stringContaining('/infrastructure/backend/containerName'),
      expect.stringContaining('/infrastructure/backend/key'),
    ]);
  });
});

describe('profile gates', () => {
  it('production refuses every dev switch', () => {
    const text = `${tdx}devSwitches:\n  allowOfflineFsKbc: true\n  enableInsecurityDemos: true\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/:\d+:3: \/devSwitches\/allowOfflineFsKbc: expected false \(profile production refuses dev switches\), found boolean true$/),
      expect.stringContaining('/devSwitches/enableInsecurityDemos: expected false'),
    ]);
  });

  it('Internet admin ingress needs the dev switch, and production refuses the switch', () => {
    const open = tdx.replace('      - 203.0.113.0/24', '      - "*"');
    expect(problemsOf(open)).toEqual([expect.stringContaining('/infrastructure/network/adminSourceCidrs/0: expected a specific CIDR')]);
    const withSwitch = `${open}devSwitches:\n  allowAdminIngressFromInternet: true\n`;
    expect(problemsOf(withSwitch)).toEqual([expect.stringContaining('/devSwitches/allowAdminIngressFromInternet: expected false (profile production')]);
    expect(problemsOf(withSwitch.replace('profile: production', 'profile: dev').replace('version: 22.04.202510150', 'version: latest'))).toEqual([]);
  });

  it('production refuses an unpinned VM image', () => {
    expect(problemsOf(tdx.replace('version: 22.04.202510150', 'version: latest'))).toEqual([expect.stringContaining('/infrastructure/tdx/image/version: expected a pinned image version')]);
  });
});

describe('environment names', () => {
  it('an unknown environment on the command line names the known ones', () => {
    expect(() => resolveEnvironmentNames(repoRoot(), ['nope'])).toThrow(`config/environments/nope.yaml: -: expected an existing environment (${SHIPPED_LIST}), found no such file for environment "nope"`);
  });

  it('a file name that cannot name a stack is refused', () => {
    const dir = makeTempRepo();
    mkdirSync(join(dir, 'config/environments'), { recursive: true });
    writeFileSync(join(dir, 'config/environments/Bad_Name.yaml'), dev);
    expect(() => loadEnvironment(dir, 'Bad_Name')).toThrow('expected a file name that is a DNS label');
  });
});

/** Problems (formatted) from loading every environment of `dir`; [] when all load. */
function repoProblems(dir: string): string[] {
  try {
    loadAllEnvironments(dir);
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

describe('YAML that is not plain data', () => {
  it('an alias to an undefined anchor, at the alias', () => {
    expect(problemsOf(dev.replace('profile: dev', 'profile: *level'))).toEqual([expect.stringMatching(/^config\/environments\/broken\.yaml:4:10: -: expected an alias to an anchor defined before it, found undefined alias \*level$/)]);
  });

  it('an alias bomb is refused before it expands', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)];
    const started = Date.now();
    expect(problemsOf(`${levels.join('\n')}\n`)).toEqual([expect.stringContaining('-: expected aliases that expand to a small document (at most 100 expansions), found aliases that expand exponentially (an alias bomb)')]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ordinary aliases still work', () => {
    const reused = tdx.replace('    project: confidential-containers', '    project: &project confidential-containers\n    owner: *project');
    expect(problemsOf(reused)).toEqual([]);
  });

  it.each([
    ['an unknown tag', 'targetRevision: !branch main', /:\d+:\d+: -: expected valid YAML, found Unresolved tag: !branch$/],
    ['binary data', 'targetRevision: !!binary aGVsbG8=', /:\d+:\d+: \/gitops\/targetRevision: expected a JSON value \(string, number, true\/false, null, list or mapping\), found binary data \(!!binary\)$/],
    ['a timestamp', 'targetRevision: !!timestamp 2026-12-01', /\/gitops\/targetRevision: expected a JSON value .*, found a timestamp \(!!timestamp\); quote it to make it a string$/],
    ['infinity', 'targetRevision: .inf', /\/gitops\/targetRevision: expected a JSON value .*, found the number Infinity$/],
  ])('%s', (_, replacement, message) => {
    expect(problemsOf(dev.replace('targetRevision: main', replacement))).toEqual([expect.stringMatching(message)]);
  });

  it('several documents in one file', () => {
    expect(problemsOf(`${dev}---\nprofile: dev\n`)).toEqual([expect.stringMatching(/-: expected valid YAML, found Source contains multiple documents/)]);
  });
});

describe('environment files on disk', () => {
  it('a .yml file is refused by name with the fix, not ignored', () => {
    const dir = makeTempRepo({ 'config/environments/staging.yml': dev });
    expect(repoProblems(dir)).toEqual(['config/environments/staging.yml: -: expected an environment file named <name>.yaml (rename it to staging.yaml), found the extension ".yml"']);
    expect(() => listEnvironments(dir)).toThrow(UserInputError);
  });

  it('a folder named like an environment file', () => {
    const dir = makeTempRepo();
    mkdirSync(join(dir, 'config/environments/extra.yaml'));
    expect(repoProblems(dir)).toEqual(['config/environments/extra.yaml: -: expected a regular file, found a folder']);
  });

  it('a named pipe is refused without blocking on it (a FIFO is unreadable even for root)', () => {
    const dir = makeTempRepo();
    execFileSync('mkfifo', [join(dir, 'config/environments/extra.yaml')]);
    expect(repoProblems(dir)).toEqual(['config/environments/extra.yaml: -: expected a regular file, found a named pipe (FIFO)']);
  });

  it('symbolic links: followed when they lead to a file, refused when they loop or dangle', () => {
    const dir = makeTempRepo();
    const envs = join(dir, 'config/environments');
    symlinkSync('coco-dev.yaml', join(envs, 'alias.yaml'));
    expect(repoProblems(dir)).toEqual([]);
    symlinkSync('loop.yaml', join(envs, 'loop.yaml'));
    symlinkSync('gone.yaml', join(envs, 'dangling.yaml'));
    expect(repoProblems(dir)).toEqual([
      'config/environments/dangling.yaml: -: expected a readable environment file, found a symbolic link to "gone.yaml", which does not exist (ENOENT)',
      'config/environments/loop.yaml: -: expected a readable environment file, found a loop of symbolic links (ELOOP)',
    ]);
  });

  it('a file that fails to read (EIO from /proc/self/mem, which fails even for root)', () => {
    const dir = makeTempRepo();
    symlinkSync('/proc/self/mem', join(dir, 'config/environments/extra.yaml'));
    expect(repoProblems(dir)).toEqual(['config/environments/extra.yaml: -: expected a readable environment file, found an input/output error (EIO)']);
  });

  it('bytes that are not UTF-8, and a file far too big to be an environment', () => {
    const dir = makeTempRepo();
    writeFileSync(join(dir, 'config/environments/latin1.yaml'), Buffer.from('profile: d\xe9v\n', 'latin1'));
    writeFileSync(join(dir, 'config/environments/huge.yaml'), `description: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    expect(repoProblems(dir)).toEqual([
      'config/environments/huge.yaml: -: expected an environment file of at most 1 MiB, found a larger file',
      'config/environments/latin1.yaml: -: expected UTF-8 text, found bytes that are not UTF-8',
    ]);
  });

  it('no environments folder, or an empty one, is an error (rendering nothing would empty dist/)', () => {
    const dir = makeTempRepo();
    rmSync(join(dir, 'config/environments'), { recursive: true });
    expect(repoProblems(dir)).toEqual([expect.stringMatching(/^config\/environments: -: expected a folder of environment files \(run the command from the repository root\), found no such file or folder \(ENOENT\)$/)]);
    mkdirSync(join(dir, 'config/environments'));
    expect(repoProblems(dir)).toEqual(['config/environments: -: expected at least one environment file (<name>.yaml), found none']);
  });
});

describe('Azure names, regions and tags', () => {
  it('a copied environment file: Key Vault and resource group clash, naming both files', () => {
    const dir = makeTempRepo({ 'config/environments/azure-tdx-copy.yaml': tdx });
    const problems = repoProblems(dir);
    expect(problems).toEqual([
      expect.stringMatching(/^config\/environments\/azure-tdx-copy\.yaml:\d+:5: \/infrastructure\/tdx\/keyVaultName: expected a Key Vault name not already used by config\/environments\/azure-tdx\.yaml:\d+:5 \/infrastructure\/tdx\/keyVaultName \(Key Vault names are globally unique in Azure\), found string "kv-coco-azure-tdx"$/),
      expect.stringMatching(/^config\/environments\/azure-tdx-copy\.yaml:\d+:3: \/infrastructure\/resourceGroup: expected a resource group name not already used by config\/environments\/azure-tdx\.yaml:\d+:3 .*, found string "rg-coco-azure-tdx"$/),
    ]);
  });

  it('names are compared as Azure compares them (without case); attestation providers too', () => {
    const aks = readEnvFile('aks-cvm');
    const copy = aks.replace('rg-coco-aks-cvm', 'rg-coco-aks-cvm-2').replace('kv-coco-aks-cvm', 'KV-Coco-Azure-TDX');
    expect(repoProblems(makeTempRepo({ 'config/environments/zz.yaml': copy }))).toEqual([
      expect.stringMatching(/zz\.yaml:\d+:5: \/infrastructure\/aks\/keyVaultName: expected a Key Vault name not already used by config\/environments\/azure-tdx\.yaml:\d+:5 \/infrastructure\/tdx\/keyVaultName .*, found string "KV-Coco-Azure-TDX"$/),
      expect.stringMatching(/zz\.yaml:\d+:5: \/infrastructure\/aks\/attestationProviderName: expected an attestation provider name not already used by config\/environments\/aks-cvm\.yaml:\d+:5 .*, found string "cocoakscvmmaa"$/),
    ]);
    const distinct = copy.replace('KV-Coco-Azure-TDX', 'kv-coco-aks-two').replace('cocoakscvmmaa', 'cocoakstwomaa');
    expect(repoProblems(makeTempRepo({ 'config/environments/zz.yaml': distinct }))).toEqual([]);
  });

  it('two azurerm backends in the same state blob', () => {
    const backend = '  backend:\n    type: azurerm\n    resourceGroupName: rg-state\n    storageAccountName: cocostate\n    containerName: tfstate\n    key: shared.tfstate\n  tags:';
    const dir = makeTempRepo({
      'config/environments/azure-tdx.yaml': tdx.replace('  tags:', backend),
      'config/environments/azure-tdx-lab.yaml': readEnvFile('azure-tdx-lab').replace('  tags:', backend),
    });
    expect(repoProblems(dir)).toEqual([expect.stringMatching(/^config\/environments\/azure-tdx-lab\.yaml:\d+:5: \/infrastructure\/backend\/key: expected a Terraform state \(storage account, container and key\) not already used by config\/environments\/azure-tdx\.yaml:\d+:5 .*, found string "shared\.tfstate"$/)]);
  });

  it('the region must offer the VM family: TDX v5, TDX v6 and AMD SEV-SNP lists', () => {
    expect(problemsOf(tdx.replace(/location: westeurope/, 'location: marsnorth'))).toEqual([
      expect.stringMatching(/:\d+:3: \/infrastructure\/location: expected a region that offers Intel TDX DCesv5\/DCedsv5\/ECesv5\/ECedsv5 VMs \(one of centralus, eastus2, northeurope, westeurope, as of \d{4}-\d\d-\d\d; src\/shared\/azure-regions\.ts says how to add one\), found string "marsnorth"$/),
    ]);
    const v6 = tdx.replace(/vmSize: Standard_DC2eds_v5/g, 'vmSize: Standard_DC2es_v6');
    expect(problemsOf(v6.replace(/location: westeurope/, 'location: westus3'))).toEqual([]);
    expect(problemsOf(v6.replace(/location: westeurope/, 'location: eastus2'))).toEqual([expect.stringContaining('expected a region that offers Intel TDX DCesv6/DCedsv6/ECesv6/ECedsv6 VMs (one of westeurope, westus, westus3')]);
    const aks = readEnvFile('aks-cvm');
    expect(problemsOf(aks.replace(/location: westeurope/, 'location: eastus'))).toEqual([]);
    expect(problemsOf(aks.replace(/location: westeurope/, 'location: marsnorth'))).toEqual([expect.stringContaining('expected a region that offers AMD SEV-SNP DCasv5/DCadsv5/ECasv5/ECadsv5 VMs')]);
    expect(problemsOf(aks.replace('vmSize: Standard_DC2as_v5', 'vmSize: Standard_DC2as_v6'))).toEqual([expect.stringContaining('AMD SEV-SNP DCasv6/DCadsv6/ECasv6/ECadsv6 VMs (none recorded yet')]);
  });

  it('every region in the data module is a plausible Azure region name, with sources', () => {
    for (const family of CONFIDENTIAL_VM_FAMILIES) {
      expect(family.sources.length).toBeGreaterThan(0);
      for (const region of family.regions) expect(region).toMatch(/^[a-z]+[0-9]?$/);
      expect([...family.regions].sort()).toEqual(family.regions);
    }
  });

  it('tag names as Azure allows them', () => {
    const withTags = (lines: string) => tdx.replace('  tags:\n    project: confidential-containers\n', `  tags:\n${lines}`);
    expect(problemsOf(withTags('    "cost/center": x\n    "a<b": y\n    Environment: z\n    Project: p\n    project: q\n'))).toEqual([
      expect.stringMatching(/\/infrastructure\/tags\/cost~1center: expected a tag name without any of < > % & \\ \? \/ \(Azure refuses them\), found string "cost\/center"$/),
      expect.stringContaining('/infrastructure/tags/a<b: expected a tag name without any of'),
      expect.stringContaining('/infrastructure/tags/Environment: expected a tag name other than environment and managed-by (set on every resource by the generator)'),
      expect.stringContaining('/infrastructure/tags/project: expected a tag name other than "Project" (Azure compares tag names without case)'),
    ]);
    expect(problemsOf(withTags(`    ${'k'.repeat(513)}: x\n`))).toEqual([expect.stringMatching(/\/infrastructure\/tags\/k+: expected a tag name of 1 to 512 characters, found string "k+\.\.\.$/)]);
    expect(problemsOf(withTags(`    ${'k'.repeat(512)}: x\n`))).toEqual([]);
    expect(problemsOf(withTags(`    owner: "${'v'.repeat(257)}"\n`))).toEqual([expect.stringContaining('/infrastructure/tags/owner: expected a string of at most 256 characters, found a string of 257 characters')]);
    expect(problemsOf(withTags(Array.from({ length: 49 }, (_, i) => `    t${i}: x\n`).join('')))).toEqual([expect.stringContaining('/infrastructure/tags: expected at most 48 tags (Azure allows 50 per resource, 2 are set by the generator), found number 49')]);
  });
});

describe('config/schema.json for editors', () => {
  /** An editor's validator: the schema as committed, no defaults, no coercion, unknown annotations allowed only for the one editors know. */
  function editorValidator() {
    const ajv = new Ajv({ allErrors: true, useDefaults: false, coerceTypes: false });
    ajv.addVocabulary([PATTERN_MESSAGE_KEYWORD]);
    return ajv.compile(JSON.parse(schemaJson()) as object);
  }

  it.each(SHIPPED_ENVIRONMENTS)('%s validates with zero errors', (name) => {
    const validate = editorValidator();
    const data: unknown = parse(readEnvFile(name));
    expect(validate(data) ? [] : validate.errors).toEqual([]);
  });

  it('a wrong file still fails, and defaulted keys stay documented', () => {
    const validate = editorValidator();
    const wrong = parse(dev.replace('profile: dev', 'profile: prod').replace('targetRevision: main', 'targetRevision: main\n  autoSync: true')) as unknown;
    expect(validate(wrong)).toBe(false);
    expect((validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/gitops additionalProperties', '/profile enum']);
    expect(validate(parse('profile: dev\n'))).toBe(false); // infrastructure and gitops have no default
    const schema = JSON.parse(schemaJson()) as { required: string[]; properties: { kubernetesVersion: { default: string } } };
    expect(schema.required).toEqual(expect.arrayContaining(['profile', 'infrastructure', 'gitops']));
    expect(schema.required).not.toContain('kubernetesVersion');
    expect(schema.properties.kubernetesVersion.default).toBeDefined();
  });

  it('the loader still fills every defaulted key in', () => {
    const { config } = loadEnvironment(repoRoot(), 'coco-dev');
    expect(config.kbs.enabled).toBe(true);
    expect(config.infrastructure.network.subnets.kbs).toBe('10.0.3.0/24');
  });
});
