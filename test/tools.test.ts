// Smoke tests of the external-tool harness (test/support/tools.ts): every tool
// is installed, reports its version, and really rejects bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tool } from './support/tools';

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
  it('returns absolute paths', () => {
    expect(tool('helm')).toMatch(/^\/.*\/helm$/);
    expect(tool('opa')).toMatch(/^\/.*\/opa$/);
    expect(tool('shellcheck')).toMatch(/^\/.*\/shellcheck$/);
  });

  it('throws (never skips) when a tool is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      jest.isolateModules(() => {
        // A fresh copy of the module, without the cache of earlier look-ups.
        const fresh = jest.requireActual<typeof import('./support/tools')>('./support/tools');
        expect(() => fresh.tool('shellcheck')).toThrow('shellcheck not found: run scripts/install-tools.sh');
      });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('helm', () => {
  it('is helm v3', () => {
    const r = run('helm', ['version', '--short']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v3\./);
  });
});

describe('opa', () => {
  it('is opa v1', () => {
    const r = run('opa', ['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Version: 1.');
  });

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
  it('reports its version', () => {
    const r = run('containerd', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^containerd \S+ v?\d+\.\d+/);
  });

  it('config dump prints the merged config and rejects invalid TOML', () => {
    const good = file(
      'good.toml',
      [
        'version = 2',
        '[plugins."io.containerd.grpc.v1.cri".containerd]',
        '  default_runtime_name = "kata-qemu-snp"',
        '',
      ].join('\n'),
    );
    const ok = run('containerd', ['--config', good, 'config', 'dump']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('default_runtime_name = "kata-qemu-snp"');
    // A default that the file did not set, merged in.
    expect(ok.stdout).toContain('[plugins."io.containerd.grpc.v1.cri".cni]');
    const bad = run('containerd', ['--config', file('bad.toml', 'version = 2\n[plugins\n'), 'config', 'dump']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('failed to load TOML');
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
