// `npx confidentialize` (the package bin, bin/confidentialize.js) on real files and stdin, its
// output (YAML on stdout or --output, report on stderr), where it finds files and environments,
// and its errors (file:line:col, JSON path, expected, found; exit 2).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findRepository } from '../src/confidentialize/repository';
import { UserInputError } from '../src/config/errors';
import { INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { decodeInitdata } from './confidentialize-support';
import { runConfidentializeInProcess } from './support/cli-in-process';
import { makeTempRepo } from './support/repo';
import { repoRoot } from './support/tools';

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a user's shell: none of the variables npm sets for the scripts it runs (jest may run under npm test). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/** The package bin as its own process, as a user runs it. */
function confidentializeProcess(cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = userEnv()): Result {
  const bin = join(repoRoot(), 'bin/confidentialize.js');
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input: input ?? '', env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same command in this process (support/cli-in-process.ts): what its main() does with these arguments, stdin and environment. */
function confidentialize(cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = userEnv()): Result {
  return runConfidentializeInProcess(cwd, args, input ?? '', env);
}

const fixture = (name: string) => join(repoRoot(), 'test/fixtures/confidentialize', name);

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
    const r = confidentializeProcess(dir, ['web.yaml', '--environment', 'coco-dev']);
    expect(r.code).toBe(0);
    const [web] = objects(r.stdout);
    const template = (web.spec as { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> } }).template;
    expect(template.spec.runtimeClassName).toBe('kata-qemu-coco-dev');
    expect(decodeInitdata(template.metadata.annotations[INITDATA_ANNOTATION]).cdh).toEqual({ kbc: { name: 'cc_kbc', url: 'http://10.96.0.80:8080' } });
    expect(r.stderr).toMatch(/^confidentialize: web\.yaml: 1 object\(s\) for environment coco-dev, runtime class kata-qemu-coco-dev: 1 workload\(s\) made confidential, 0 passed through untouched$/m);
    expect(r.stderr).toMatch(/^  Deployment\/web spec\.template\.spec\.runtimeClassName: set runtimeClassName \(sample TEE\) "kata-qemu-coco-dev"$/m);
    // The comment of the input is kept.
    expect(r.stdout.startsWith('# a web app\n')).toBe(true);
    expect(r.stderr).toMatch(/images left unchanged: nginxinc\/nginx-unprivileged:1\.27/);
  });

  it('reads several documents from stdin; refuses hostPID with file, line, column and path', () => {
    const dir = makeTempRepo();
    const r = confidentializeProcess(dir, ['--environment', 'coco-dev'], `${DEPLOYMENT}---\n${JOB}`);
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
    expect(r.stderr).toMatch(/^warning: Job\/batch spec\.template\.spec\.hostPID: removed hostPID: true/m);
  });

  it('azure-tdx: no Kata; node selection onto the decrypting workers', () => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, ['--environment=azure-tdx', 'web.yaml']);
    expect(r.code).toBe(0);
    const spec = (objects(r.stdout)[0].spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(spec.nodeSelector).toEqual({ 'coco.azure/guest-components': 'enabled' });
    expect(spec.runtimeClassName).toBeUndefined();
    expect(r.stderr).toMatch(/confidential nodes \(no Kata\)/);
    // Once per run, not once per workload.
    expect(r.stderr.match(/^warning: every workload: trust boundary is the node/gm)).toHaveLength(1);
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
    ['unknown option', ['web.yaml', '-e', 'coco-dev', '--dry-run'], undefined, /^error: command line: -: expected one of the options --environment, --runtime-class, --output, --force, --allow-exec, --repo, --help, found unknown option "--dry-run"$/m],
    ['missing file', ['nope.yaml', '-e', 'coco-dev'], undefined, /^error: nope\.yaml: -: expected a readable YAML file, found no such file or folder \(ENOENT\)$/m],
    ['not YAML', ['-e', 'coco-dev'], 'kind: [Deployment\n', /^error: <stdin>:\d+:\d+: -: expected valid YAML, found /m],
    ['empty input', ['-e', 'coco-dev'], '\n---\n# nothing\n', /^error: <stdin>: -: expected at least one Kubernetes object, found an empty input$/m],
    ['a scalar document', ['-e', 'coco-dev'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\nhello\n', /^error: <stdin>:5:1: \/: expected a Kubernetes object \(a mapping with apiVersion and kind\), found document 2: string "hello"$/m],
    ['a CronJob without a job template', ['-e', 'coco-dev'], 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: "@daily"}\n', /^error: <stdin>:4:1: \/spec\/jobTemplate: expected a pod template \(CronJob keeps it at spec\.jobTemplate\.spec\.template\), found nothing$/m],
    ['a --repo without environments', ['web.yaml', '-e', 'coco-dev', '--repo', '/'], undefined, /^error: command line: -: expected --repo <dir> naming a repository with config\/environments\/, found no folder \/config\/environments$/m],
    ['runtime class not in the environment', ['web.yaml', '-e', 'coco-dev', '--runtime-class', 'kata-qemu-tdx'], undefined, /^error: config\/environments\/coco-dev\.yaml: \/runtime\/runtimeClasses: expected a CoCo runtime class of environment coco-dev \(kata-qemu-coco-dev\), found --runtime-class kata-qemu-tdx$/m],
  ])('bad input: %s (exit 2, nothing on stdout)', (_, args, input, message) => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const r = confidentialize(dir, args, input);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  });

  it('helm template output on stdin: every document back in order, only the workloads changed, the rest byte for byte', () => {
    const input = readFileSync(fixture('helm-template-web.yaml'), 'utf8');
    const r = confidentialize(makeTempRepo(), ['--environment', 'coco-dev'], input);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const inDocs = input.replace(/^---\n/, '').split(/^---\n/m);
    const outDocs = r.stdout.split(/^---\n/m);
    expect(outDocs).toHaveLength(inDocs.length);
    const kinds = outDocs.map((d) => /^kind: (\w+)$/m.exec(d)?.[1]);
    expect(kinds).toEqual(['ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'Deployment', 'CronJob', 'Pod', 'Job']);
    // Non-workloads are their source text; workloads keep their `# Source:` line and comments.
    for (const i of [0, 1, 2, 3, 4, 5]) expect(outDocs[i]).toBe(inDocs[i]);
    for (const i of [6, 7, 8, 9]) {
      expect(outDocs[i].split('\n')[0]).toBe(inDocs[i].split('\n')[0]);
      expect(outDocs[i]).toContain('runtimeClassName: kata-qemu-coco-dev');
    }
    expect(outDocs[6]).toContain('# the web server; keep this comment');
    expect(outDocs[9]).toContain('"helm.sh/hook": pre-install,pre-upgrade');
    expect(r.stderr).toMatch(/^  untouched: ServiceAccount\/web, Secret\/web, ConfigMap\/web, Service\/web, PodDisruptionBudget\/web, NetworkPolicy\/web$/m);
    expect(r.stderr).toMatch(/: 10 object\(s\) for environment coco-dev, runtime class kata-qemu-coco-dev: 4 workload\(s\) made confidential, 6 passed through untouched$/m);
    // The report is short: no initdata blob on any line.
    expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThan(400);
  });

  it('--output writes the file; relative paths start in the caller\'s directory, also in a subfolder of the repository', () => {
    const dir = repoWith({});
    const sub = join(dir, 'apps', 'web');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'web.yaml'), DEPLOYMENT);
    const r = confidentialize(sub, ['web.yaml', '-e', 'coco-dev', '-o', 'out.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(objects(readFileSync(join(sub, 'out.yaml'), 'utf8'))[0].kind).toBe('Deployment');
    expect(r.stderr).toMatch(/^confidentialize: web\.yaml: /m);
  });

  it('outside any repository: the environments of the repository it is installed in', () => {
    const outside = mkdtempSync(join(tmpdir(), 'coco-outside-'));
    writeFileSync(join(outside, 'web.yaml'), DEPLOYMENT);
    const r = confidentialize(outside, ['web.yaml', '-e', 'bare-metal']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('runtimeClassName: kata-qemu-tdx');
    // Environment files in messages are paths the user can open from where they are.
    const bad = confidentialize(outside, ['web.yaml', '-e', 'bare-metal', '--runtime-class', 'kata-qemu-coco-dev']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^error: \\.\\./.*config/environments/bare-metal\\.yaml: /runtime/runtimeClasses: `, 'm'));
  });

  it('no environments anywhere: the error says every place it looked and how to point at them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'coco-empty-'));
    expect(() => findRepository({ callerDir: join(empty, 'a'), installedRoot: join(empty, 'pkg') })).toThrow(UserInputError);
    try {
      findRepository({ callerDir: join(empty, 'a'), installedRoot: join(empty, 'pkg') });
    } catch (e) {
      const [problem] = (e as UserInputError).problems;
      expect(problem.expected).toBe('a folder of environment files config/environments/ (point at its repository with --repo <dir>)');
      expect(problem.found).toContain(`${join(empty, 'a', 'config/environments')}, ${join(empty, 'config/environments')}`);
      expect(problem.found).toContain(join(empty, 'pkg', 'config/environments'));
    }
    const repo = makeTempRepo();
    expect(findRepository({ callerDir: empty, explicit: repo, installedRoot: empty })).toBe(repo);
  });

  it('--help: usage on stdout, exit 0', () => {
    const r = confidentialize(makeTempRepo(), ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npx confidentialize /);
    expect(r.stdout).toMatch(/--output <file>/);
    expect(r.stdout).toMatch(/--repo <dir>/);
  });

  it('started by npm run without --silent and stdout redirected: refused, since npm already printed its banner there', () => {
    const dir = repoWith({ 'web.yaml': DEPLOYMENT });
    const npmRun = { npm_lifecycle_event: 'confidentialize', INIT_CWD: dir };
    const refused = confidentialize(repoRoot(), ['web.yaml', '-e', 'coco-dev'], undefined, userEnv(npmRun));
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: command line: -: expected npx confidentialize \.\.\., npm run --silent confidentialize -- \.\.\., or --output <file>, found npm run without --silent/m);
    // With --silent, npm prints nothing; INIT_CWD is where the user was.
    const silent = confidentialize(repoRoot(), ['web.yaml', '-e', 'coco-dev'], undefined, userEnv({ ...npmRun, npm_config_loglevel: 'silent' }));
    expect(silent.code).toBe(0);
    expect(objects(silent.stdout)[0].kind).toBe('Deployment');
  });

  it('a reader that stops early (| head) is no error', () => {
    const input = join(mkdtempSync(join(tmpdir(), 'coco-big-')), 'big.yaml');
    writeFileSync(input, Array.from({ length: 200 }, () => readFileSync(fixture('postgresql-statefulset.yaml'), 'utf8')).join('---\n'));
    const r = spawnSync('bash', ['-c', 'set -o pipefail; node "$0" "$1" -e coco-dev | head -c 10', join(repoRoot(), 'bin/confidentialize.js'), input], { env: userEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('# Shaped l');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.status).toBe(0);
  });
});
