import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../src/config/load';
import { render, RenderValidationError, type BundleValidator } from '../src/render/render';
import { scanForSecrets } from '../src/render/secret-scan';
import { makeTempRepo, readEnvFile, runSynth } from './support/repo';
import { ALL, freshlyRenderedRepo, renderedRepo, runCli, snapshot } from './support/render-repo';
import { SHIPPED_LIST, SHIPPED_STACKS } from './support/shipped';

describe('synth CLI', () => {
  // One render of this file's own, by the real process (the first two tests only read it).
  let fresh: string | undefined;
  const freshRender = () => (fresh ??= freshlyRenderedRepo());

  it('renders every environment: one file per object, Terraform for Azure environments only', () => {
    const dir = freshRender();
    // The shipped config/fleet.yaml adds dist/fleet/ (test/fleet.test.ts).
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual([...ALL, 'fleet'].sort());
    expect(readdirSync(join(dir, 'cdktf.out/stacks')).sort()).toEqual([...SHIPPED_STACKS]);
    expect(readdirSync(join(dir, 'dist/azure-tdx')).sort()).toEqual(['POSTURE.md', 'argocd', 'bootstrap', 'guest-components', 'kbs', 'versions.json', 'workloads']);
    expect(readdirSync(join(dir, 'dist/azure-tdx/kbs'))).toContain('namespace-coco-tenant.yaml');
    expect(readdirSync(join(dir, 'dist/azure-tdx/kbs')).every((f) => /^[a-z]+-[a-z0-9-]+\.yaml$/.test(f))).toBe(true);
    expect(existsSync(join(dir, 'config/schema.json'))).toBe(true);
    // No staging folders left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('.render-'))).toEqual([]);
  });

  it('is deterministic: two renders in different folders give byte-identical files', () => {
    // One render here, the other the run's shared render, made by another process in another folder.
    const a = snapshot(freshRender());
    const b = snapshot(renderedRepo());
    expect(Object.keys(a.dist ?? {}).length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  it('renders only the named environment and leaves the others as they were', () => {
    const dir = renderedRepo();
    const before = snapshot(dir);
    writeFileSync(join(dir, 'config/environments/azure-tdx.yaml'), readEnvFile('azure-tdx').replace('targetRevision: v0.1.0', 'targetRevision: v0.2.0'));
    const r = runSynth(dir, ['coco-dev']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rendered coco-dev and the fleet of 2 clusters: \d+ manifests, 0 Terraform stacks/);
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
    expect(r.stderr.trim()).toBe(`error: config/environments/staging.yaml: -: expected an existing environment (${SHIPPED_LIST}), found no such file for environment "staging"`);
    const f = runSynth(dir, ['--all']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim()).toBe('error: command line: -: expected one of the options --list, --validate, --help, found unknown option "--all"');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
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
      ['azure-peer-pods', 'production', 'aks-peer-pods'],
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
    expect(r.stdout).toMatch(new RegExp(`^valid ${SHIPPED_LIST} and the fleet of 2 clusters: \\d+ manifests, ${SHIPPED_STACKS.length} Terraform stacks in \\d+ ms \\(nothing written\\)\n$`));
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
    expect(render({ root, environments: envs() })).toEqual({ files: expect.any(Number), stacks: SHIPPED_STACKS.length, fleetClusters: 2 });
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
