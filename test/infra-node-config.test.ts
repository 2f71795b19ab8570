// The azure-tdx node bootstrap checked by the real consumers: cloud-init's schema validator,
// shellcheck, bash, containerd, systemd, jq, openssl and kubeadm (built from v1.36.5 source by
// scripts/install-tools.sh). Everything is taken from the synthesized stack's custom_data, i.e.
// the exact bytes the VMs receive.
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { NODE_ARTIFACT_SHA256, VERSIONS } from '../src/shared/versions';
import { SANDBOX_IMAGE } from '../src/infra/cloud-init/containerd-config';
import { JOIN_TOKEN_SH, KUBEADM_JOIN_SH } from '../src/infra/cloud-init/scripts';
import { run } from './support/tools';
import { ciliumValuesYaml } from '../src/infra/cloud-init/cilium-values';
import { set, synthStack, tdxData, userData } from './infra-support';

interface WriteFile {
  path: string;
  permissions: string;
  content: string;
}
interface CloudConfig {
  write_files: WriteFile[];
  runcmd: string[][];
  packages: string[];
}

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `infra-${prefix}-`));
const stack = synthStack(set(tdxData(), 'infrastructure/tdx/workers/count', 2));
const nodes = userData(stack);
const configs = Object.fromEntries(Object.entries(nodes).map(([id, text]) => [id, parse(text) as CloudConfig]));
const fileOf = (id: string, path: string): string => {
  const f = configs[id].write_files.find((w) => w.path === path);
  if (!f) throw new Error(`${id} has no ${path}`);
  return f.content;
};
const isShell = (content: string) => content.startsWith('#!/bin/bash\n') || content.startsWith('# shellcheck shell=bash\n');

it('renders one user data per node', () => {
  expect(Object.keys(nodes)).toEqual(['k8s_control_1_vm', 'k8s_worker_1_vm', 'k8s_worker_2_vm', 'kbs_server_vm']);
  expect(configs.k8s_control_1_vm.runcmd).toEqual([['/usr/local/sbin/coco-kubeadm-init']]);
  expect(configs.kbs_server_vm.runcmd).toEqual([['/usr/local/sbin/coco-kubeadm-join']]);
});

it('the validators are real: cloud-init refuses a malformed document, shellcheck an unquoted expansion', () => {
  const file = join(tmp('cloud-init'), 'user-data');
  writeFileSync(file, nodes.k8s_worker_1_vm.replace(/^runcmd:[\s\S]*$/m, 'runcmd: 42\n'));
  const bad = run('cloud-init', ['schema', '--config-file', file]);
  expect(bad.code).not.toBe(0);
  expect(bad.stdout + bad.stderr).toContain('runcmd');
  const script = join(tmp('shellcheck'), 'bad.sh');
  writeFileSync(script, '#!/bin/bash\nrm -rf $1/tmp\n');
  expect(run('shellcheck', ['--severity=style', script]).stdout).toContain('SC2086');
});

describe.each(Object.keys(nodes))('%s', (id) => {
  const text = nodes[id];
  const config = configs[id];

  it('passes cloud-init schema', () => {
    const file = join(tmp('cloud-init'), 'user-data');
    writeFileSync(file, text);
    const r = run('cloud-init', ['schema', '--config-file', file]);
    expect(r.stdout + r.stderr).toContain('Valid cloud-config');
    expect(r.code).toBe(0);
  });

  it('fits in Azure custom data (64 KiB, base64)', () => {
    expect(Buffer.from(text).toString('base64').length).toBeLessThan(65536);
  });

  it('has only shell programs as executables, and they pass shellcheck', () => {
    const executables = config.write_files.filter((w) => w.permissions === '0755');
    expect(executables.length).toBeGreaterThan(1);
    const programs = config.write_files.filter((w) => isShell(w.content));
    expect(programs.map((w) => w.path)).toEqual(expect.arrayContaining(executables.map((w) => w.path)));
    const dir = tmp('shellcheck');
    const files = programs.map((program) => {
      const file = join(dir, program.path.replace(/\//g, '_'));
      writeFileSync(file, program.content);
      return file;
    });
    // One shellcheck for all of them (each finding names its file): a run costs ~45 ms of start-up.
    const r = run('shellcheck', ['--severity=style', ...files]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('gives every variable the scripts read a value (node.env, the script or the shared library)', () => {
    const env = fileOf(id, '/etc/coco/node.env');
    const lib = fileOf(id, '/usr/local/lib/coco/lib.sh');
    const assigned = new Set([...(env + lib).matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]));
    for (const program of config.write_files.filter((w) => isShell(w.content))) {
      const own = new Set([...program.content.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]));
      const read = [...program.content.replace(/'[^'\n]*'/g, '').matchAll(/\$([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
      expect({ file: program.path, missing: read.filter((v) => !assigned.has(v) && !own.has(v)) }).toEqual({ file: program.path, missing: [] });
    }
  });

  it('node.env is valid shell and pins the binaries', () => {
    const file = join(tmp('env'), 'node.env');
    writeFileSync(file, fileOf(id, '/etc/coco/node.env'));
    const r = spawnSync('bash', ['-c', 'set -eu; . "$1"; printf "%s %s %s" "$CONTAINERD_SHA256" "$RUNC_SHA256" "$KEY_VAULT_NAME"', 'bash', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${NODE_ARTIFACT_SHA256.containerd['2.3.4']} ${NODE_ARTIFACT_SHA256.runc['1.4.3']} kv-coco-azure-tdx`);
  });
});

describe('containerd configuration (containerd itself parses it)', () => {
  const config = fileOf('k8s_worker_1_vm', '/etc/containerd/config.toml');
  /** `containerd config dump` of our config.toml with its imports folder moved to a temp dir. */
  function dump(imports: Record<string, string>): string {
    const dir = tmp('containerd');
    mkdirSync(join(dir, 'conf.d'));
    for (const [name, text] of Object.entries(imports)) writeFileSync(join(dir, 'conf.d', name), text);
    const ours = config.replace(/"\/etc\/containerd\/conf\.d\/\*\.toml"/, JSON.stringify(`${dir}/conf.d/*.toml`));
    expect(ours).not.toBe(config);
    writeFileSync(join(dir, 'config.toml'), ours);
    const r = run('containerd', ['--config', join(dir, 'config.toml'), 'config', 'dump']);
    // Drop-ins in version 3 (what containerd 2.1 and 2.2 read too) are migrated, with a warning.
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.includes('Configuration migrated from version 3'))).toEqual([]);
    expect(r.code).toBe(0);
    return r.stdout;
  }

  it('is the config version containerd 2.3 writes, with the systemd cgroup driver and the kubeadm pause image, and no decryption of its own', () => {
    expect(config).toMatch(/^version = 4$/m);
    const r = run('containerd', ['--version']);
    expect(r.stdout).toMatch(/ v2\.3\.\d+\s/);
    const out = dump({});
    expect(out).toMatch(/^version = 4$/m);
    expect(out).toMatch(/SystemdCgroup = true/);
    expect(out).toMatch(/sandbox = 'registry\.k8s\.io\/pause:3\.10\.2'/);
    // Without the guest-components drop-in, CRI pulls through the transfer service (containerd's default).
    expect(out).toMatch(/use_local_image_pull = false/);
  });

  it('imports conf.d drop-ins deeply: a drop-in that sets one CRI images key keeps every other CRI setting', () => {
    const out = dump({
      '10-ocicrypt.toml': [
        'version = 3',
        '[plugins."io.containerd.cri.v1.images"]',
        'use_local_image_pull = true',
        '[stream_processors."io.containerd.ocicrypt.decoder.v1.tar.gzip"]',
        'accepts = ["application/vnd.oci.image.layer.v1.tar+gzip+encrypted"]',
        'returns = "application/vnd.oci.image.layer.v1.tar+gzip"',
        'path = "ctd-decoder"',
        '',
      ].join('\n'),
    });
    expect(out).toMatch(/imports = \[.*conf\.d\/\*\.toml'\]/);
    expect(out).toMatch(/path = 'ctd-decoder'/);
    expect(out).toMatch(/use_local_image_pull = true/);
    expect(out).toMatch(/SystemdCgroup = true/);
    expect(out).toMatch(/sandbox = 'registry\.k8s\.io\/pause:3\.10\.2'/);
  });

  it('refuses a drop-in of a higher config version than the root (containerd 2.x rule)', () => {
    const dir = tmp('containerd');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'x.toml'), 'version = 3\n');
    writeFileSync(join(dir, 'config.toml'), `version = 2\nimports = [${JSON.stringify(`${dir}/conf.d/*.toml`)}]\n`);
    const r = run('containerd', ['--config', join(dir, 'config.toml'), 'config', 'dump']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('drop-in config version 3 higher than root config version 2');
  });
});

describe('systemd units (systemd-analyze verify)', () => {
  /** A root with the units, stand-ins for the binaries they start, and the host's system units. */
  function verify(path: string, content: string): string {
    const root = tmp('systemd');
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    for (const exe of [...content.matchAll(/^Exec\w+=-?(\/\S+)/gm)].map((m) => m[1])) {
      mkdirSync(join(root, dirname(exe)), { recursive: true });
      writeFileSync(join(root, exe), '#!/bin/sh\n');
      chmodSync(join(root, exe), 0o755);
    }
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), content);
    const r = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, path]);
    return `${r.code} ${r.stdout}${r.stderr}`.trim();
  }

  it.each([
    ['k8s_worker_1_vm', '/etc/systemd/system/containerd.service'],
    ['k8s_control_1_vm', '/etc/systemd/system/coco-join-token-revoke.service'],
  ])('%s %s is clean', (id, path) => {
    expect(verify(path, fileOf(id, path))).toBe('0');
  });

  it('would report a misspelled key', () => {
    expect(verify('/etc/systemd/system/bad.service', '[Service]\nExecStart=/usr/local/bin/x\nTyp=notify\n')).toContain("Unknown key 'Typ'");
  });
});

describe('kubeadm configuration (kubeadm config validate)', () => {
  it('accepts the control plane InitConfiguration/ClusterConfiguration/KubeletConfiguration', () => {
    const init = fileOf('k8s_control_1_vm', '/etc/kubernetes/coco/kubeadm-init.yaml');
    const file = join(tmp('kubeadm'), 'init.yaml');
    writeFileSync(file, init);
    const r = run('kubeadm', ['config', 'validate', '--config', file]);
    expect(r.stdout + r.stderr).toBe('ok\n');
    expect(init).toContain('podSubnet: 10.244.0.0/16');
    expect(init).toContain('controlPlaneEndpoint: 10.0.1.4:6443');
    expect(init).toContain('- addon/kube-proxy');
  });

  it('pins the pause image kubeadm itself uses at this Kubernetes version (containerd sandbox = kubeadm preflight)', () => {
    const r = run('kubeadm', ['config', 'images', 'list', '--kubernetes-version', `v${VERSIONS.kubernetes}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('/pause:'))).toEqual([SANDBOX_IMAGE]);
  });

  it('is strict: a misspelled field fails', () => {
    const file = join(tmp('kubeadm'), 'init.yaml');
    writeFileSync(file, fileOf('k8s_control_1_vm', '/etc/kubernetes/coco/kubeadm-init.yaml').replace('skipPhases', 'skipPhase'));
    const r = run('kubeadm', ['config', 'validate', '--config', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "skipPhase"');
  });

  /** The JoinConfiguration after the join script's own jq program filled in a token. */
  function filledJoin(id: string): { file: string; json: Record<string, unknown> } {
    const program = /'(\.discovery\.bootstrapToken\.token = \$token[^']*)'/.exec(KUBEADM_JOIN_SH)?.[1];
    expect(program).toBeDefined();
    const dir = tmp('join');
    const template = join(dir, 'join.json');
    writeFileSync(template, fileOf(id, '/etc/kubernetes/coco/kubeadm-join.json'));
    const hash = `sha256:${'ab'.repeat(32)}`;
    const r = run('jq', ['--arg', 'token', 'abcdef.0123456789abcdef', '--arg', 'hash', hash, program ?? '', template]);
    expect(r.code).toBe(0);
    const file = join(dir, 'filled.json');
    writeFileSync(file, r.stdout);
    return { file, json: JSON.parse(r.stdout) as Record<string, unknown> };
  }

  it.each(['k8s_worker_1_vm', 'kbs_server_vm'])('%s: the template has no token; filled in, kubeadm accepts it', (id) => {
    const template = join(tmp('join'), 'template.json');
    writeFileSync(template, fileOf(id, '/etc/kubernetes/coco/kubeadm-join.json'));
    const empty = run('kubeadm', ['config', 'validate', '--config', template]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('the bootstrap token is invalid');
    const filled = filledJoin(id);
    const r = run('kubeadm', ['config', 'validate', '--config', filled.file]);
    expect(r.stdout + r.stderr).toBe('ok\n');
  });

  it('registers workers for the guest-components installer and the KBS node tainted for KBS only', () => {
    expect(filledJoin('k8s_worker_1_vm').json).toMatchObject({
      discovery: { bootstrapToken: { apiServerEndpoint: '10.0.1.4:6443', caCertHashes: [expect.stringMatching(/^sha256:/)] } },
      nodeRegistration: { kubeletExtraArgs: [{ name: 'node-labels', value: 'coco.azure/guest-components=enabled' }], taints: [] },
    });
    expect(filledJoin('kbs_server_vm').json).toMatchObject({
      nodeRegistration: { kubeletExtraArgs: [{ name: 'node-labels', value: 'coco.azure/role=kbs' }], taints: [{ key: 'coco.azure/dedicated', value: 'kbs', effect: 'NoSchedule' }] },
    });
  });
});

it("publishes kubeadm's CA pin: sha256 of the CA's SubjectPublicKeyInfo (openssl pipeline of coco-join-token)", () => {
  const pipeline = /hash="sha256:\$\((openssl x509 -in \/etc\/kubernetes\/pki\/ca\.crt [^"]+)\)"/.exec(JOIN_TOKEN_SH)?.[1];
  expect(pipeline).toBeDefined();
  const dir = tmp('ca');
  const key = join(dir, 'ca.key');
  const crt = join(dir, 'ca.crt');
  expect(run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=kubernetes', '-days', '1']).code).toBe(0);
  const r = spawnSync('bash', ['-c', `set -euo pipefail; ${(pipeline ?? '').replace('/etc/kubernetes/pki/ca.crt', '"$1"')}`, 'bash', crt], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const spki = createPublicKey(readFileSync(crt)).export({ type: 'spki', format: 'der' });
  expect(r.stdout.trim()).toBe(createHash('sha256').update(spki).digest('hex'));
});

describe('Cilium values', () => {
  it('kube-proxy replacement, pod CIDR outside the VNet, and node CIDR matching for the KBS NetworkPolicy', () => {
    const values = parse(ciliumValuesYaml({ apiServerHost: '10.0.1.4', apiServerPort: 6443, podCidr: '10.244.0.0/16' })) as Record<string, unknown>;
    expect(values).toMatchObject({
      kubeProxyReplacement: true,
      k8sServiceHost: '10.0.1.4',
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.244.0.0/16'] } },
      policyCIDRMatchMode: ['nodes'],
    });
  });
});

describe('the KBS local volume folder (kbs.storage.localPath)', () => {
  it('kbs-server creates it root-only at boot; the other nodes create none', () => {
    const kbs = { enabled: true, storage: { localPath: '/var/lib/coco-kbs' }, tlsSecretName: 'kbs-tls', tokenSignerSecretName: 'kbs-token-signer', attestation: { tees: ['az-tdx-vtpm'] } };
    // dev: this test is about the folder, not about what production demands of a KBS.
    const withKbs = set(set(tdxData(), 'kbs', kbs), 'profile', 'dev');
    const env = (id: string) => {
      const text = (parse(userData(synthStack(withKbs))[id]) as CloudConfig).write_files.find((f) => f.path === '/etc/coco/node.env')?.content ?? '';
      return /^LOCAL_VOLUME_DIRS='(.*)'$/m.exec(text)?.[1];
    };
    expect(env('kbs_server_vm')).toBe('/var/lib/coco-kbs');
    expect(env('k8s_worker_1_vm')).toBe('');
    // The install script turns the list into folders (run here on a temp path).
    const install = fileOf('k8s_worker_1_vm', '/usr/local/sbin/coco-node-install');
    const loop = /^for dir in \$LOCAL_VOLUME_DIRS; do\n.*\ndone$/m.exec(install)?.[0] ?? '';
    const dir = join(tmp('kbs-dir'), 'var/lib/coco-kbs');
    const r = spawnSync('bash', ['-c', `set -eu; LOCAL_VOLUME_DIRS='${dir}'\n${loop}\nstat -c %a "${dir}"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('700');
  });
});
