import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { listEnvironments, loadEnvironment, resolveEnvironmentNames } from '../src/config/load';
import { envProblems, makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';

const problemsOf = envProblems;

const tdx = readEnvFile('azure-tdx');
const dev = readEnvFile('coco-dev');

describe('shipped environments', () => {
  it.each(['aks-cvm', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev'])('%s loads without problems', (name) => {
    const env = loadEnvironment(repoRoot(), name);
    expect(env.name).toBe(name);
    expect(env.file).toBe(`config/environments/${name}.yaml`);
  });

  it('lists environments sorted by file name', () => {
    expect(listEnvironments(repoRoot())).toEqual(['aks-cvm', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev']);
  });

  it('applies documented defaults in the loader', () => {
    const { config } = loadEnvironment(repoRoot(), 'coco-dev');
    expect(config.gitops.argocdNamespace).toBe('argocd');
    expect(config.gitops.destinationServer).toBe('https://kubernetes.default.svc');
    expect(config.kubernetesVersion).toBe('1.31');
    expect(config.devSwitches.enableInsecurityDemos).toBe(false);
    const { config: azure } = loadEnvironment(repoRoot(), 'azure-tdx');
    expect(azure.infrastructure.tdx?.versions.containerd).toBe('1.7.30');
    expect(azure.infrastructure.tdx?.osDiskSecurityEncryptionType).toBe('VMGuestStateOnly');
    expect(azure.infrastructure.backend).toEqual({ type: 'local' });
  });
});

describe('bad input is reported with file, line, path, expected and found', () => {
  it('unknown key, at the line of the key, listing the allowed keys', () => {
    const [p, ...rest] = problemsOf(dev.replace('  targetRevision: main', '  targetRevision: main\n  autoSync: true'));
    expect(rest).toEqual([]);
    expect(p).toMatch(/^config\/environments\/broken\.yaml:\d+:3: \/gitops\/autoSync: expected one of the keys repoURL, targetRevision, argocdNamespace, destinationServer, automated, prune, selfHeal, found unknown key "autoSync"$/);
  });

  it('YAML syntax error', () => {
    const [p] = problemsOf('profile: dev\ninfrastructure: [provider: none\n');
    expect(p).toMatch(/^config\/environments\/broken\.yaml:\d+:\d+: \/: expected valid YAML, found .+/);
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

  it('containerd 2.x is refused', () => {
    const text = tdx.replace('    image:', '    versions:\n      containerd: 2.0.4\n    image:');
    expect(problemsOf(text)).toEqual([expect.stringContaining('/infrastructure/tdx/versions/containerd: expected a containerd 1.7.x version')]);
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
    expect(() => resolveEnvironmentNames(repoRoot(), ['nope'])).toThrow('config/environments/nope.yaml: /: expected an existing environment (aks-cvm, azure-tdx, azure-tdx-lab, bare-metal, coco-dev), found no such file for environment "nope"');
  });

  it('a file name that cannot name a stack is refused', () => {
    const dir = makeTempRepo();
    mkdirSync(join(dir, 'config/environments'), { recursive: true });
    writeFileSync(join(dir, 'config/environments/Bad_Name.yaml'), dev);
    expect(() => loadEnvironment(dir, 'Bad_Name')).toThrow('expected a file name that is a DNS label');
  });
});
