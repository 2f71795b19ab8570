// `npm run confidentialize`: the compiled command on real files and stdin, its output (YAML on
// stdout, report on stderr) and its errors (file:line:col, JSON path, expected, found; exit 2).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { decodeInitdata } from './confidentialize-support';
import { makeTempRepo } from './support/repo';
import { repoRoot } from './support/tools';

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function confidentialize(cwd: string, args: string[], input?: string): Result {
  const cli = join(repoRoot(), 'build/src/cli/confidentialize.js');
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build (npm test does)`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const DEPLOYMENT = `# a web app
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginxinc/nginx-unprivileged:1.27
`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  template:
    spec:
      restartPolicy: Never
      hostPID: true
      containers:
        - name: run
          image: busybox:1.37.0
`;

function repoWith(files: Record<string, string>): string {
  const dir = makeTempRepo();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function objects(stdout: string): Record<string, unknown>[] {
  return parseAllDocuments(stdout).map((d) => d.toJS() as Record<string, unknown>);
}

describe('confidentialize command', () => {
  it('coco-dev: prints the confidential Deployment on stdout and the report on stderr', () => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, ['web.yaml', '--environment', 'coco-dev']);
    expect(r.code).toBe(0);
    const [web] = objects(r.stdout);
    const template = (web.spec as { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> } }).template;
    expect(template.spec.runtimeClassName).toBe('kata-qemu-coco-dev');
    expect(decodeInitdata(template.metadata.annotations[INITDATA_ANNOTATION]).cdh).toEqual({ kbc: { name: 'cc_kbc', url: 'http://10.96.0.80:8080' } });
    expect(r.stderr).toMatch(/^confidentialize: web\.yaml: 1 object\(s\) for environment coco-dev, runtime class kata-qemu-coco-dev$/m);
    expect(r.stderr).toMatch(/Deployment\/web \/spec\/template\/spec\/runtimeClassName: set runtimeClassName/);
    expect(r.stderr).toMatch(/images left unchanged: nginxinc\/nginx-unprivileged:1\.27/);
  });

  it('reads several documents from stdin; refuses hostPID with file, line, column and path', () => {
    const dir = makeTempRepo();
    const r = confidentialize(dir, ['--environment', 'coco-dev'], `${DEPLOYMENT}---\n${JOB}`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: <stdin>:25:7: /spec/template/spec/hostPID: expected no hostPID (a confidential pod cannot share the host namespaces it must be protected from; --force strips it), found document 2: hostPID: true',
    ]);
  });

  it('--force strips and warns; both documents come out', () => {
    const dir = makeTempRepo();
    const r = confidentialize(dir, ['-', '--environment', 'coco-dev', '--force'], `${DEPLOYMENT}---\n${JOB}`);
    expect(r.code).toBe(0);
    expect(objects(r.stdout).map((o) => o.kind)).toEqual(['Deployment', 'Job']);
    expect(r.stdout).not.toContain('hostPID');
    expect(r.stderr).toMatch(/^warning: Job\/batch \/spec\/template\/spec\/hostPID: removed hostPID: true/m);
  });

  it('azure-tdx: no Kata; node selection onto the decrypting workers', () => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, ['--environment=azure-tdx', 'web.yaml']);
    expect(r.code).toBe(0);
    const spec = (objects(r.stdout)[0].spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(spec.nodeSelector).toEqual({ 'coco.azure/guest-components': 'enabled' });
    expect(spec.runtimeClassName).toBeUndefined();
    expect(r.stderr).toMatch(/confidential nodes \(no Kata\)/);
    expect(r.stderr).toMatch(/^warning: .*trust boundary is the node/m);
  });

  it('production environment refuses --allow-exec', () => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, ['web.yaml', '--environment', 'azure-tdx', '--allow-exec']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: command line: -: expected no --allow-exec for environment azure-tdx \(profile production refuses exec-allowing agent policies\), found --allow-exec$/m);
  });

  it.each<[string, string[], string | undefined, RegExp]>([
    ['unknown environment', ['web.yaml', '--environment', 'staging'], undefined, /^error: config\/environments\/staging\.yaml: -: expected an existing environment \(.*coco-dev.*\), found no such file for environment "staging"$/m],
    ['no environment', ['web.yaml'], undefined, /^error: command line: -: expected --environment <env>, found no --environment$/m],
    ['unknown option', ['web.yaml', '-e', 'coco-dev', '--dry-run'], undefined, /^error: command line: -: expected one of the options --environment, --runtime-class, --force, --allow-exec, --help, found unknown option "--dry-run"$/m],
    ['missing file', ['nope.yaml', '-e', 'coco-dev'], undefined, /^error: nope\.yaml: -: expected a readable YAML file, found no such file or folder \(ENOENT\)$/m],
    ['not YAML', ['-e', 'coco-dev'], 'kind: [Deployment\n', /^error: <stdin>:\d+:\d+: \/: expected valid YAML, found /m],
    ['empty input', ['-e', 'coco-dev'], '\n---\n', /^error: <stdin>: \/: expected at least one Kubernetes workload document, found an empty input$/m],
    ['unsupported kind', ['-e', 'coco-dev'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', /^error: <stdin>:2:1: \/kind: expected a workload kind this transform supports \(Pod, Deployment, StatefulSet, DaemonSet, Job; .*\), found v1 ConfigMap$/m],
    ['runtime class not in the environment', ['web.yaml', '-e', 'coco-dev', '--runtime-class', 'kata-qemu-tdx'], undefined, /^error: config\/environments\/coco-dev\.yaml: \/runtime\/runtimeClasses: expected a CoCo runtime class of environment coco-dev \(kata-qemu-coco-dev\), found --runtime-class kata-qemu-tdx$/m],
  ])('bad input: %s (exit 2, nothing on stdout)', (_, args, input, message) => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, args, input);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  });
});
