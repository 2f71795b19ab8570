import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../src/config/load';
import { render, RenderValidationError, type BundleValidator } from '../src/render/render';
import { scanForSecrets } from '../src/render/secret-scan';
import { hashTree, makeTempRepo, readEnvFile, runSynth, type CliResult } from './support/repo';
import { repoRoot } from './support/tools';

const ALL = ['aks-cvm', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev'];

/** A temp repo that has been rendered once (the "previous output" the failure tests protect). */
function renderedRepo(): string {
  const dir = makeTempRepo();
  const r = runSynth(dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

/** Every output the render writes, by path: folders file by file, a file (even where a folder belongs) as itself. */
function snapshot(dir: string): Record<string, Record<string, string> | string | null> {
  const out: Record<string, Record<string, string> | string | null> = {};
  for (const path of ['dist', 'charts', 'cdktf.out', 'config/schema.json']) {
    const full = join(dir, path);
    const stats = lstatSync(full, { throwIfNoEntry: false });
    out[path] = !stats ? null : stats.isDirectory() ? hashTree(full) : createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}

const stagingFolders = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.render-'));

describe('synth CLI', () => {
  it('renders every environment: one file per object, Terraform for Azure environments only', () => {
    const dir = renderedRepo();
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(ALL);
    expect(readdirSync(join(dir, 'cdktf.out/stacks')).sort()).toEqual(['aks-cvm', 'azure-tdx', 'azure-tdx-lab']);
    expect(readdirSync(join(dir, 'dist/azure-tdx')).sort()).toEqual(['POSTURE.md', 'argocd', 'bootstrap', 'guest-components', 'kbs', 'versions.json', 'workloads']);
    expect(readdirSync(join(dir, 'dist/azure-tdx/kbs'))).toContain('namespace-coco-tenant.yaml');
    expect(readdirSync(join(dir, 'dist/azure-tdx/kbs')).every((f) => /^[a-z]+-[a-z0-9-]+\.yaml$/.test(f))).toBe(true);
    expect(existsSync(join(dir, 'config/schema.json'))).toBe(true);
    // No staging folders left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('.render-'))).toEqual([]);
  });

  it('is deterministic: two renders in different folders give byte-identical files', () => {
    const a = snapshot(renderedRepo());
    const b = snapshot(renderedRepo());
    expect(Object.keys(a.dist ?? {}).length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  it('renders only the named environment and leaves the others as they were', () => {
    const dir = renderedRepo();
    const before = snapshot(dir);
    writeFileSync(join(dir, 'config/environments/azure-tdx.yaml'), readEnvFile('azure-tdx').replace('targetRevision: main', 'targetRevision: release-1'));
    const r = runSynth(dir, ['coco-dev']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rendered coco-dev: \d+ manifests, 0 Terraform stacks/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('bad environment file: exit 2, one line per problem, no stack trace, nothing changed', () => {
    const dir = renderedRepo();
    const before = snapshot(dir);
    const bad = readEnvFile('coco-dev').replace('profile: dev', 'profile: prod').replace('targetRevision: main', 'targetRevision: [main]');
    writeFileSync(join(dir, 'config/environments/coco-dev.yaml'), bad);
    const r = runSynth(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: config\/environments\/coco-dev\.yaml:\d+:1: \/profile: expected one of "dev", "production", found string "prod"$/),
      expect.stringMatching(/^error: config\/environments\/coco-dev\.yaml:\d+:3: \/gitops\/targetRevision: expected a string, found a list \(1 item\)$/),
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('problems in several files are all reported in one run', () => {
    const dir = renderedRepo();
    writeFileSync(join(dir, 'config/environments/coco-dev.yaml'), 'profile: [\n');
    writeFileSync(join(dir, 'config/environments/aks-cvm.yaml'), readEnvFile('aks-cvm').replace('networkPlugin: azure', 'networkPlugin: calico'));
    const r = runSynth(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config/environments/coco-dev.yaml');
    expect(r.stderr).toContain('config/environments/aks-cvm.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('unknown environment name and unknown option: exit 2, nothing written', () => {
    const dir = makeTempRepo();
    const r = runSynth(dir, ['azure-tdx', 'staging']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: config/environments/staging.yaml: -: expected an existing environment (aks-cvm, azure-tdx, azure-tdx-lab, bare-metal, coco-dev), found no such file for environment "staging"');
    const f = runSynth(dir, ['--all']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim()).toBe('error: command line: -: expected one of the options --list, --validate, --help, found unknown option "--all"');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

/** Runs a compiled CLI (`synth`, `review`, `confidentialize`) with `cwd` as the repository root. */
function runCli(cwd: string, cli: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'build/src/cli', `${cli}.js`), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One user error: `error: <file>[:line:col]: <json path or ->: expected X, found Y`. */
const ONE_LINE = /^error: [^:]+(:\d+:\d+)?: (\/\S*|-): expected .+, found .+$/;

describe('every user error is one line, exit 2, and changes nothing (real CLI, temp repo)', () => {
  let repo: string | undefined;
  const rendered = (): string => (repo ??= renderedRepo());
  const envs = (dir: string) => join(dir, 'config/environments');
  const coco = readEnvFile('coco-dev');

  /** How the case breaks the repository, and how to put it back. */
  interface Case {
    readonly arrange: (dir: string) => void;
    readonly restore: (dir: string) => void;
    readonly args?: string[];
    readonly message: RegExp;
  }
  const replaceCoco = (make: (dir: string) => void): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => {
      rmSync(join(envs(dir), 'coco-dev.yaml'), { recursive: true, force: true });
      make(dir);
    },
    restore: (dir) => {
      rmSync(join(envs(dir), 'coco-dev.yaml'), { recursive: true, force: true });
      writeFileSync(join(envs(dir), 'coco-dev.yaml'), coco);
    },
  });
  const extraFile = (name: string, text: string): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => writeFileSync(join(envs(dir), name), text),
    restore: (dir) => rmSync(join(envs(dir), name), { force: true }),
  });
  /** `path` (dist, cdktf.out) replaced by a plain file: as root, chmod cannot make a folder unwritable, a file in its place can. */
  const fileInsteadOf = (path: string): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => {
      renameSync(join(dir, path), join(dir, `${path}.saved`));
      writeFileSync(join(dir, path), 'not a folder\n');
    },
    restore: (dir) => {
      rmSync(join(dir, path), { force: true });
      renameSync(join(dir, `${path}.saved`), join(dir, path));
    },
  });
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');

  const cases: Record<string, Case> = {
    'undefined YAML alias': { ...replaceCoco((dir) => writeFileSync(join(envs(dir), 'coco-dev.yaml'), coco.replace('profile: dev', 'profile: *level'))), message: /^error: config\/environments\/coco-dev\.yaml:4:10: -: expected an alias to an anchor defined before it, found undefined alias \*level$/ },
    'alias bomb (billion laughs)': { ...replaceCoco((dir) => writeFileSync(join(envs(dir), 'coco-dev.yaml'), bomb)), message: /coco-dev\.yaml:\d+:\d+: -: expected aliases that expand to a small document .*, found aliases that expand exponentially \(an alias bomb\)$/ },
    'symbolic link loop': { ...replaceCoco((dir) => symlinkSync('coco-dev.yaml', join(envs(dir), 'coco-dev.yaml'))), message: /^error: config\/environments\/coco-dev\.yaml: -: expected a readable environment file, found a loop of symbolic links \(ELOOP\)$/ },
    'dangling symbolic link': { ...replaceCoco((dir) => symlinkSync('moved.yaml', join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a readable environment file, found a symbolic link to "moved\.yaml", which does not exist \(ENOENT\)$/ },
    'a folder named x.yaml': { ...replaceCoco((dir) => mkdirSync(join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a regular file, found a folder$/ },
    'an unreadable file (a FIFO, unreadable even for root: reading would block)': {
      ...replaceCoco((dir) => spawnSync('mkfifo', [join(envs(dir), 'coco-dev.yaml')])),
      message: /coco-dev\.yaml: -: expected a regular file, found a named pipe \(FIFO\)$/,
    },
    'a file that fails to read (a link to /proc/self/mem: EIO even for root)': { ...replaceCoco((dir) => symlinkSync('/proc/self/mem', join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a readable environment file, found an input\/output error \(EIO\)$/ },
    'an unreadable environments folder (a file in its place)': {
      arrange: (dir) => {
        renameSync(envs(dir), `${envs(dir)}.saved`);
        writeFileSync(envs(dir), '');
      },
      restore: (dir) => {
        rmSync(envs(dir));
        renameSync(`${envs(dir)}.saved`, envs(dir));
      },
      message: /^error: config\/environments: -: expected a folder of environment files \(run the command from the repository root\), found a path through something that is not a folder \(ENOTDIR\)$/,
    },
    'a .yml file': { ...extraFile('staging.yml', coco), message: /^error: config\/environments\/staging\.yml: -: expected an environment file named <name>\.yaml \(rename it to staging\.yaml\), found the extension "\.yml"$/ },
    'a region without the VM family': { ...extraFile('eu2.yaml', readEnvFile('azure-tdx').replace(/location: westeurope/, 'location: marsnorth').replace(/rg-coco-azure-tdx/, 'rg-eu2').replace(/kv-coco-azure-tdx/, 'kv-eu2')), message: /eu2\.yaml:\d+:3: \/infrastructure\/location: expected a region that offers Intel TDX .*, found string "marsnorth"$/ },
    'a tag name Azure forbids': { ...extraFile('eu2.yaml', readEnvFile('azure-tdx').replace('    project: confidential-containers', '    "team/a": x').replace(/rg-coco-azure-tdx/, 'rg-eu2').replace(/kv-coco-azure-tdx/, 'kv-eu2')), message: /eu2\.yaml:\d+:5: \/infrastructure\/tags\/team~1a: expected a tag name without any of .*, found string "team\/a"$/ },
    'dist/ is a file (a full render cannot replace it)': { ...fileInsteadOf('dist'), message: /^error: dist: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'dist/ is a file (a partial render cannot write below it)': { ...fileInsteadOf('dist'), args: ['coco-dev'], message: /^error: dist: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'cdktf.out/ is a file': { ...fileInsteadOf('cdktf.out'), args: ['azure-tdx'], message: /^error: cdktf\.out: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'an unknown flag': { arrange: () => undefined, restore: () => undefined, args: ['--force'], message: /^error: command line: -: expected one of the options --list, --validate, --help, found unknown option "--force"$/ },
  };

  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    const dir = rendered();
    c.arrange(dir);
    try {
      const before = snapshot(dir);
      const r = runSynth(dir, c.args ?? []);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toEqual([expect.stringMatching(c.message)]);
      expect(lines[0]).toMatch(ONE_LINE);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
      expect(snapshot(dir)).toEqual(before);
      expect(stagingFolders(dir)).toEqual([]);
    } finally {
      c.restore(dir);
    }
  });

  it('a copied environment file: the Key Vault and resource group clash, naming both files', () => {
    const dir = rendered();
    const before = snapshot(dir);
    writeFileSync(join(envs(dir), 'azure-tdx-2.yaml'), readEnvFile('azure-tdx'));
    try {
      const r = runSynth(dir, ['azure-tdx-2']);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^error: config\/environments\/azure-tdx-2\.yaml:\d+:5: \/infrastructure\/tdx\/keyVaultName: expected a Key Vault name not already used by config\/environments\/azure-tdx\.yaml:\d+:5 .*, found string "kv-coco-azure-tdx"$/),
        expect.stringMatching(/^error: config\/environments\/azure-tdx-2\.yaml:\d+:3: \/infrastructure\/resourceGroup: expected a resource group name not already used by config\/environments\/azure-tdx\.yaml:\d+:3 .*, found string "rg-coco-azure-tdx"$/),
      ]);
      expect(snapshot(dir)).toEqual(before);
    } finally {
      rmSync(join(envs(dir), 'azure-tdx-2.yaml'));
    }
  });

  it('a staging folder left by a killed render is removed by the next one; a live one is kept', () => {
    const dir = rendered();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(dir, `.render-${dead}-abcdef`, 'dist'), { recursive: true });
    const live = `.render-${process.pid}-ghijkl`;
    mkdirSync(join(dir, live));
    try {
      expect(runSynth(dir, ['coco-dev']).code).toBe(0);
      expect(stagingFolders(dir)).toEqual([live]);
    } finally {
      rmSync(join(dir, live), { recursive: true });
    }
  });
});

describe('output is a pure function of configuration and code', () => {
  it('charts/ stay consistent with all environments whatever is named, and return byte for byte when an environment goes again', () => {
    const dir = renderedRepo();
    const before = snapshot(dir);
    const extra = join(dir, 'config/environments/coco-dev-2.yaml');
    writeFileSync(extra, readEnvFile('coco-dev').replace('workloads:\n  namespace: coco-demo', 'workloads:\n  namespace: coco-demo-2'));
    // The README's flow: render only the new environment. Charts cover it at once...
    expect(runSynth(dir, ['coco-dev-2']).code).toBe(0);
    const afterSubset = snapshot(dir);
    expect(existsSync(join(dir, 'charts/workloads/ci/coco-dev-2-values.yaml'))).toBe(true);
    expect(afterSubset.charts).not.toEqual(before.charts);
    // ...exactly as a full render writes them (so npm run check passes after the subset render).
    expect(runSynth(dir).code).toBe(0);
    expect(snapshot(dir).charts).toEqual(afterSubset.charts);
    rmSync(extra);
    expect(runSynth(dir).code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it('chart versions derive from content: <contract version>+<content digest>', () => {
    const dir = renderedRepo();
    const chart = readFileSync(join(dir, 'charts/kbs/Chart.yaml'), 'utf8');
    const digest = /coco\.azure\/content-digest: ([0-9a-f]{64})/.exec(chart)?.[1];
    expect(chart).toMatch(new RegExp(`^version: 0\\.1\\.0\\+${digest?.slice(0, 12)}$`, 'm'));
    // A repository that has never rendered gives the same version (nothing carries over from earlier output).
    const fresh = makeTempRepo();
    cpSync(join(dir, 'config'), join(fresh, 'config'), { recursive: true });
    expect(runSynth(fresh).code).toBe(0);
    expect(readFileSync(join(fresh, 'charts/kbs/Chart.yaml'), 'utf8')).toBe(chart);
  });
});

describe('listing, validating and help', () => {
  it('--list: one environment per line with profile and provider', () => {
    const r = runSynth(makeTempRepo(), ['--list']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['aks-cvm', 'production', 'aks-cvm'],
      ['azure-tdx', 'production', 'azure-tdx'],
      ['azure-tdx-lab', 'dev', 'azure-tdx'],
      ['bare-metal', 'production', 'none'],
      ['coco-dev', 'dev', 'none'],
    ]);
  });

  it('--validate checks everything, rendered output included, and writes nothing', () => {
    const dir = makeTempRepo();
    const r = runSynth(dir, ['--validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid aks-cvm, azure-tdx, azure-tdx-lab, bare-metal, coco-dev: \d+ manifests, 3 Terraform stacks in \d+ ms \(nothing written\)\n$/);
    expect(readdirSync(dir).sort()).toEqual(['config']);
    const schema = readFileSync(join(dir, 'config/schema.json'), 'utf8');
    writeFileSync(join(dir, 'config/environments/coco-dev.yaml'), readEnvFile('coco-dev').replace('profile: dev', 'profile: prod'));
    const bad = runSynth(dir, ['--validate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: config\/environments\/coco-dev\.yaml:\d+:1: \/profile: expected one of "dev", "production", found string "prod"\n$/);
    expect(readdirSync(dir).sort()).toEqual(['config']);
    expect(readFileSync(join(dir, 'config/schema.json'), 'utf8')).toBe(schema);
  });

  it('--list takes nothing else', () => {
    const r = runSynth(makeTempRepo(), ['--list', 'coco-dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: command line: -: expected --list alone, found --list with environment names\n');
  });

  it.each([
    ['synth', /^usage: npm run synth -- \[--list\] \[--validate\] \[env \.\.\.\]\n[\s\S]*\n {2}--validate {2}check everything[\s\S]*exit status:\n {2}0 /],
    ['review', /^usage: npm run review -- \[ref\]\n[\s\S]*git commit, branch or tag to compare with \(default: HEAD\)/],
    ['confidentialize', /^usage: npx confidentialize \[--environment <env>\] \[--runtime-class <name>\] \[--output <file>\] \[--force\] \[--allow-exec\] \[--repo <dir>\] \[<input\.yaml> \| -\]\n[\s\S]*-e, --environment <env>/],
  ])('%s --help prints usage, options and exit statuses; an unknown flag is one line, exit 2', (cli, usage) => {
    const dir = makeTempRepo();
    for (const flag of ['--help', '-h']) {
      const help = runCli(dir, cli, [flag]);
      expect(help.stderr).toBe('');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(usage);
    }
    const bad = runCli(dir, cli, ['--frobnicate']);
    expect(bad.stdout).toBe('');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: command line: -: expected one of the options .*--help, found unknown option "--frobnicate"\n$/);
    expect(readdirSync(dir)).toEqual(['config']);
  });
});

describe('atomic rendering', () => {
  const envs = () => ALL.map((n) => loadEnvironment(makeTempRepoOnce(), n));
  let repo: string | undefined;
  function makeTempRepoOnce(): string {
    repo ??= renderedRepo();
    return repo;
  }

  it('a validation failure in the last environment leaves dist/ and cdktf.out/ byte-identical', () => {
    const root = makeTempRepoOnce();
    const before = snapshot(root);
    const failLast: BundleValidator = (env, objects) =>
      env.name === 'coco-dev' ? [{ object: `Namespace/${objects[0].metadata.name}`, rule: 'test-rule', path: '/metadata', message: 'injected failure' }] : [];
    expect(() => render({ root, environments: envs(), validate: failLast })).toThrow(RenderValidationError);
    expect(() => render({ root, environments: envs(), validate: failLast })).toThrow('coco-dev: Namespace/coco-tenant: [test-rule] /metadata: injected failure');
    expect(snapshot(root)).toEqual(before);
    expect(readdirSync(root).filter((f) => f.startsWith('.render-'))).toEqual([]);
  });

  it('an exception midway (after some files are staged) leaves the old output', () => {
    const root = makeTempRepoOnce();
    const before = snapshot(root);
    const crash: BundleValidator = (env) => {
      if (env.name === 'azure-tdx') throw new Error('disk full');
      return [];
    };
    expect(() => render({ root, environments: envs(), validate: crash })).toThrow('disk full');
    expect(snapshot(root)).toEqual(before);
  });

  it('the real validator accepts the shipped environments', () => {
    const root = makeTempRepoOnce();
    expect(render({ root, environments: envs() })).toEqual({ files: expect.any(Number), stacks: 3 });
  });
});

describe('secret scan', () => {
  it('finds key material and accepts references', () => {
    const dir = makeTempRepo();
    writeFileSync(join(dir, 'leak.yaml'), 'data:\n  key: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'keys.json'), '{"default/image_key/nginx": "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="}\n');
    writeFileSync(join(dir, 'main.tf.json'), '{"admin_password": "hunter22", "client_secret": "${var.secret}"}\n');
    writeFileSync(join(dir, 'ok.yaml'), 'secretKeyRef:\n  name: kbs-admin\n  key: public.pem\n');
    const found = scanForSecrets(dir).map((f) => `${f.file}:${f.line}: ${f.message}`);
    expect(found).toEqual([
      'keys.json:1: found a base64 32-byte key next to a KBS resource path; reference a Secret or Key Vault item instead',
      'leak.yaml:3: found a PEM private key; reference a Secret or Key Vault item instead',
      'main.tf.json:1: found a literal password in Terraform; reference a Secret or Key Vault item instead',
    ]);
  });

  it('the shipped render is clean', () => {
    const dir = renderedRepo();
    expect(scanForSecrets(join(dir, 'dist'))).toEqual([]);
    expect(scanForSecrets(join(dir, 'cdktf.out'))).toEqual([]);
    expect(readFileSync(join(dir, 'cdktf.out/stacks/azure-tdx/cdk.tf.json'), 'utf8')).toContain('"path": "../../../terraform.azure-tdx.tfstate"');
  });
});
