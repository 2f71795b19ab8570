// Smoke tests of the external-tool harness (test/support/tools.ts): every tool is installed,
// the Go tools are exactly the versions scripts/tool-versions.sh pins, and tools really reject bad input.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoToolName, parseToolVersions, repoRoot, run, tool, toolsCache, toolVersion } from './support/tools';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tools-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('tool()', () => {
  it('returns absolute paths: Go tools in the cache folder of their pinned version, Debian tools on PATH', () => {
    expect(tool('helm')).toBe(join(toolsCache(), `helm-${toolVersion('helm')}`, 'helm'));
    expect(tool('kube-apiserver')).toBe(join(toolsCache(), `kube-apiserver-${toolVersion('kube-apiserver')}`, 'kube-apiserver'));
    expect(tool('shellcheck')).toMatch(/^\/.*\/shellcheck$/);
  });

  it.each([
    ['shellcheck', { PATH: '' }, () => 'shellcheck not found on PATH: run bash scripts/install-tools.sh'],
    ['opa', { COCO_TOOLS_CACHE: '/nonexistent' }, (v: string) => `opa ${v} not found in /nonexistent/opa-${v}: run bash scripts/install-tools.sh`],
  ] as const)('throws (never skips) when %s is missing', (name, env, message) => {
    const saved = { PATH: process.env.PATH, COCO_TOOLS_CACHE: process.env.COCO_TOOLS_CACHE };
    Object.assign(process.env, env);
    try {
      jest.isolateModules(() => {
        // A fresh copy of the module, without the cache of earlier look-ups.
        const fresh = jest.requireActual<typeof import('./support/tools')>('./support/tools');
        expect(() => fresh.tool(name)).toThrow(message(toolVersion('opa')));
      });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('toolsCache follows COCO_TOOLS_CACHE, then XDG_CACHE_HOME, then HOME (empty counts as unset)', () => {
    expect(toolsCache({ COCO_TOOLS_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(toolsCache({ COCO_TOOLS_CACHE: '', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/coco-azure-gitops/tools');
    expect(toolsCache({ XDG_CACHE_HOME: '', HOME: '/h' })).toBe('/h/.cache/coco-azure-gitops/tools');
  });
});

describe('scripts/tool-versions.sh', () => {
  it('parses pins and rejects any other line', () => {
    expect([...parseToolVersions("# c\n\nHELM3_VERSION='v3.22.0'\n", 'f')]).toEqual([['HELM3', 'v3.22.0']]);
    expect(() => parseToolVersions("HELM_VERSION='v4.3.2'\nOPA_VERSION=\"v1.2.3\"\n", 'f')).toThrow(
      `f:2:1: expected a comment or NAME_VERSION='vX.Y.Z', found "OPA_VERSION=\\"v1.2.3\\""`,
    );
    expect(() => parseToolVersions("OPA_VERSION='v1.2.3'\nOPA_VERSION='v1.2.4'\n", 'f')).toThrow('f:2:1: expected one pin per name, found OPA_VERSION again');
  });

  // The wrapper modules select exactly the pinned versions (the installer checks this too, but
  // only when it builds).
  it.each([
    ['scripts/go-tools/go.mod', 'helm.sh/helm/v4', 'helm'],
    ['scripts/go-tools/go.mod', 'helm.sh/helm/v3', 'helm3'],
    ['scripts/go-tools/go.mod', 'sigs.k8s.io/kwok', 'kwok'],
    ['scripts/go-tools/go.mod', 'github.com/containerd/containerd/v2', 'containerd'],
    ['scripts/go-tools/go.mod', 'github.com/open-policy-agent/opa', 'opa'],
    ['scripts/go-tools/etcd/go.mod', 'go.etcd.io/etcd/server/v3', 'etcd'],
    ['scripts/go-tools/etcd/go.mod', 'go.etcd.io/etcd/api/v3', 'etcd'],
  ] as const)('%s requires %s at the pin of %s', (file, module, name) => {
    const requires = readFileSync(join(repoRoot(), file), 'utf8').match(new RegExp(`^\\t${module.replaceAll('.', '\\.')} (\\S+)`, 'm'));
    expect(requires?.[1]).toBe(toolVersion(name));
  });
});

describe('the Go tools report their pinned versions', () => {
  const bare = (name: GoToolName) => toolVersion(name).replace(/^v/, '');
  it.each([
    ['kube-apiserver', ['--version'], (v: string) => `Kubernetes ${v}\n`],
    ['kube-controller-manager', ['--version'], (v: string) => `Kubernetes ${v}\n`],
    ['kube-scheduler', ['--version'], (v: string) => `Kubernetes ${v}\n`],
    ['kubeadm', ['version', '-o', 'short'], (v: string) => `${v}\n`],
    ['helm', ['version', '--short'], (v: string) => `${v}\n`],
    ['helm3', ['version', '--short'], (v: string) => `${v}\n`],
  ] as const)('%s', (name, args, expected) => {
    const r = run(name, args);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected(toolVersion(name)));
  });

  it('kubectl', () => {
    expect(run('kubectl', ['version', '--client']).stdout).toMatch(new RegExp(`^Client Version: ${toolVersion('kubectl')}$`, 'm'));
  });

  it('etcd', () => {
    expect(run('etcd', ['--version']).stdout).toMatch(new RegExp(`^etcd Version: ${bare('etcd')}$`, 'm'));
  });

  it('kwok', () => {
    expect(run('kwok', ['--version']).stdout).toMatch(new RegExp(`^kwok version ${toolVersion('kwok')} `));
  });

  it('containerd', () => {
    expect(run('containerd', ['--version']).stdout).toMatch(new RegExp(`^containerd github\\.com/containerd/containerd/v2 ${toolVersion('containerd')} `));
  });

  it('opa', () => {
    expect(run('opa', ['version']).stdout).toMatch(new RegExp(`^Version: ${bare('opa')}$`, 'm'));
  });

  it('helm 3 renders for the Kubernetes minor of its client-go, not the default 1.20', () => {
    const chart = join(dir, 'kube-version');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: kube-version\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  v: {{ .Capabilities.KubeVersion.Version | quote }}\n');
    for (const helm of ['helm', 'helm3'] as const) {
      const r = run(helm, ['template', 'x', chart]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/v: "v1\.(3[6-9]|[4-9]\d)\.0"/);
    }
  });
});

describe('opa', () => {
  it('opa test fails on a failing Rego test', () => {
    const pkg = join(dir, 'rego');
    mkdirSync(pkg);
    writeFileSync(join(pkg, 'p.rego'), 'package demo\n\ndefault allow := false\n\nallow if input.user == "admin"\n');
    const pass = 'test_admin if data.demo.allow with input as {"user": "admin"}\n';
    const fail = 'test_guest if data.demo.allow with input as {"user": "guest"}\n';
    writeFileSync(join(pkg, 'p_test.rego'), `package demo_test\n\n${pass}`);
    expect(run('opa', ['test', pkg])).toMatchObject({ code: 0 });
    writeFileSync(join(pkg, 'p_test.rego'), `package demo_test\n\n${pass}\n${fail}`);
    const r = run('opa', ['test', pkg]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('data.demo_test.test_guest: FAIL');
  });
});

describe('shellcheck', () => {
  it('reports its version', () => {
    const r = run('shellcheck', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^version: \d+\.\d+/m);
  });

  it('flags an unquoted variable (SC2086)', () => {
    expect(run('shellcheck', [file('ok.sh', '#!/bin/sh\necho "$1"\n')])).toMatchObject({ code: 0 });
    const r = run('shellcheck', [file('bad.sh', '#!/bin/sh\necho $1\n')]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('SC2086');
  });
});

describe('cloud-init', () => {
  it('reports its version', () => {
    const r = run('cloud-init', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/cloud-init \d+\.\d+/);
  });

  it('cloud-init schema --config-file rejects invalid user-data', () => {
    const good = file('good.yaml', '#cloud-config\nruncmd:\n  - echo hi\n');
    expect(run('cloud-init', ['schema', '--config-file', good])).toMatchObject({ code: 0 });
    const r = run('cloud-init', ['schema', '--config-file', file('bad.yaml', '#cloud-config\nruncmd: 5\n')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("runcmd: 5 is not of type 'array'");
  });
});

describe('containerd', () => {
  it('config dump prints the merged config and rejects invalid TOML', () => {
    const good = file('good.toml', ['version = 3', '[plugins."io.containerd.cri.v1.runtime".containerd]', '  default_runtime_name = "kata-qemu-snp"', ''].join('\n'));
    const ok = run('containerd', ['--config', good, 'config', 'dump']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("default_runtime_name = 'kata-qemu-snp'");
    // A default that the file did not set, merged in.
    expect(ok.stdout).toContain("[plugins.'io.containerd.cri.v1.runtime'.cni]");
    const bad = run('containerd', ['--config', file('bad.toml', 'version = 3\n[plugins\n'), 'config', 'dump']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('failed to unmarshal TOML at row 2');
  });
});

describe('systemd-analyze', () => {
  it('reports its version', () => {
    const r = run('systemd-analyze', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^systemd \d+/);
  });

  it('verify rejects a unit whose ExecStart does not exist', () => {
    const good = file('good.service', '[Unit]\nDescription=ok\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n');
    expect(run('systemd-analyze', ['verify', '--man=no', good])).toMatchObject({ code: 0 });
    const bad = file('bad.service', '[Unit]\nDescription=bad\n\n[Service]\nExecStart=/nonexistent/agent\n');
    const r = run('systemd-analyze', ['verify', '--man=no', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/agent is not executable');
  });
});
