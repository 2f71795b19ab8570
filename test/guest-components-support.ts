// Helpers of the guest-components tests: the rendered objects of the component, and a fake node
// (host root, image payload, mounted ConfigMaps) on which the rendered installer script runs with
// stubbed nsenter/systemctl/containerd (test/fixtures/guest-components/stubs) and the real
// containerd for `config dump`.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { loadEnvironment } from '../src/config/load';
import { buildManifests } from '../src/k8s/bundle';
import type { K8sObject } from '../src/shared/k8s-object';
import { repoRoot, tool } from './support/tools';

export const FIXTURES = join(repoRoot(), 'test/fixtures/guest-components');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The objects of dist/<env>/guest-components/ for environment `name` of repository `root`. */
export function guestComponentObjects(root: string, name: string): K8sObject[] {
  const folder = buildManifests(loadEnvironment(root, name)).find((f) => f.folder === 'guest-components');
  if (!folder) throw new Error(`environment ${name} renders no guest-components folder`);
  return [...folder.objects];
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
  return o;
}

interface Container {
  readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly [key: string]: unknown;
}

/** The DaemonSet's pod spec, typed loosely for assertions. */
export function podSpec(ds: K8sObject): { readonly containers: readonly Container[]; readonly [key: string]: unknown } {
  return (ds.spec as { template: { spec: { containers: Container[] } } }).template.spec;
}

/** A hostPath volume of the DaemonSet as the pod sees it. */
export interface HostMount {
  readonly hostPath: string;
  /** hostPath type: DirectoryOrCreate, Directory or FileOrCreate. */
  readonly type: string;
  readonly readOnly: boolean;
}

/** What the rendered component gives the installer: files, script, environment, host mounts. */
export interface RenderedInstaller {
  readonly nodeFiles: Readonly<Record<string, string>>;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  readonly hostMounts: readonly HostMount[];
}

export function renderedInstaller(objects: readonly K8sObject[]): RenderedInstaller {
  const data = (name: string) => (find(objects, 'ConfigMap', name).data ?? {}) as Record<string, string>;
  const spec = podSpec(find(objects, 'DaemonSet')) as { containers: readonly Container[]; volumes: { name: string; hostPath?: { path: string; type: string } }[] };
  const container = spec.containers[0] as Container & { volumeMounts: { name: string; readOnly?: boolean }[] };
  const hostMounts = spec.volumes.flatMap((v) => {
    if (!v.hostPath) return [];
    const mount = container.volumeMounts.find((m) => m.name === v.name);
    return [{ hostPath: v.hostPath.path, type: v.hostPath.type, readOnly: mount?.readOnly === true }];
  });
  return {
    nodeFiles: data('guest-components-node-config'),
    script: data('guest-components-installer')['installer.sh'],
    env: Object.fromEntries(container.env.map((e) => [e.name, e.value])),
    hostMounts,
  };
}

/** The payload manifest an image built to the contract carries: `<sha256>  bin/<file>` lines. */
export function payloadManifest(payload: string): string {
  const files = ['bin', 'lib'].flatMap((d) => readdirSync(join(payload, d)).map((f) => `${d}/${f}`)).sort();
  return files.map((f) => `${createHash('sha256').update(readFileSync(join(payload, f))).digest('hex')}  ${f}\n`).join('');
}

export interface RunResult {
  readonly code: number;
  readonly stderr: string;
  /** systemctl/containerd calls made during this run, in order. */
  readonly calls: string[];
}

const created: string[] = [];

/** Removes the folders of every FakeNode made so far (call in afterAll). */
export function removeFakeNodes(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fake node: `host` is its root; the installer sees it through HOST_ROOT. */
export class FakeNode {
  readonly dir = mkdtempSync(join(tmpdir(), 'gc-'));
  readonly host = join(this.dir, 'host');
  readonly payload = join(this.dir, 'payload');
  readonly config = join(this.dir, 'config');
  readonly state = join(this.dir, 'state');
  readonly callsFile = join(this.dir, 'calls.log');
  readonly scriptPath = join(this.dir, 'installer', 'installer.sh');
  containerdVersion = 'v2.3.4';
  isActive = 0;
  readonly env: Record<string, string>;

  constructor(rendered: RenderedInstaller, containerdConfig: string | undefined, options: { kbsCa?: string; offlineResources?: string } = {}) {
    created.push(this.dir);
    for (const d of ['etc/containerd', 'etc/systemd/system', 'opt', 'run', 'usr/lib/systemd']) mkdirSync(join(this.host, d), { recursive: true });
    // systemd's own units, so `systemd-analyze verify --root` can load targets like multi-user.target.
    cpSync('/usr/lib/systemd/system', join(this.host, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    if (containerdConfig !== undefined) writeFileSync(join(this.host, 'etc/containerd/config.toml'), containerdConfig, { mode: 0o640 });
    mkdirSync(join(this.payload, 'bin'), { recursive: true });
    mkdirSync(join(this.payload, 'lib'), { recursive: true });
    for (const bin of ['attestation-agent', 'confidential-data-hub', 'ctd-decoder']) {
      writeFileSync(join(this.payload, 'bin', bin), `#!/bin/sh\n# stand-in for ${bin}\nexit 0\n`, { mode: 0o755 });
    }
    writeFileSync(join(this.payload, 'lib', 'libtss2-esys.so.0'), 'stand-in library\n');
    writeFileSync(join(this.payload, 'SHA256SUMS'), payloadManifest(this.payload));
    // What the kubelet does before the pod starts: create the DirectoryOrCreate/FileOrCreate
    // hostPath folders and files the DaemonSet mounts.
    for (const m of rendered.hostMounts) {
      if (m.type === 'DirectoryOrCreate') mkdirSync(join(this.host, m.hostPath), { recursive: true });
      if (m.type === 'FileOrCreate' && !existsSync(join(this.host, m.hostPath))) writeFileSync(join(this.host, m.hostPath), '');
    }
    mkdirSync(this.config, { recursive: true });
    for (const [file, text] of Object.entries(rendered.nodeFiles)) writeFileSync(join(this.config, file), text);
    mkdirSync(join(this.dir, 'installer'), { recursive: true });
    writeFileSync(this.scriptPath, rendered.script);
    mkdirSync(this.state, { recursive: true });
    const mapped: Record<string, string> = { ...rendered.env, HOST_ROOT: this.host, PAYLOAD_DIR: this.payload, CONFIG_DIR: this.config, STATE_DIR: this.state };
    if (rendered.env.KBS_CA_FILE !== undefined) {
      const ca = join(this.dir, 'kbs-ca.crt');
      writeFileSync(ca, options.kbsCa ?? fixture('kbs-ca.crt'));
      mapped.KBS_CA_FILE = ca;
    }
    if (rendered.env.OFFLINE_RESOURCES_FILE !== undefined) {
      const res = join(this.dir, 'resources.json');
      writeFileSync(res, options.offlineResources ?? '{}\n');
      mapped.OFFLINE_RESOURCES_FILE = res;
    }
    const stubs = join(this.dir, 'stubs');
    cpSync(join(FIXTURES, 'stubs'), stubs, { recursive: true });
    for (const f of readdirSync(stubs)) chmodSync(join(stubs, f), 0o755);
    this.env = {
      ...mapped,
      // The stubs first; socat (the probe's tool) must be installed: tool() throws otherwise.
      PATH: `${stubs}:${dirname(tool('socat'))}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      CALLS: this.callsFile,
      FAKE_HOST_ROOT: this.host,
      REAL_CONTAINERD: tool('containerd'),
    };
  }

  path(hostPath: string): string {
    return join(this.host, hostPath);
  }

  read(hostPath: string): string {
    return readFileSync(this.path(hostPath), 'utf8');
  }

  exists(hostPath: string): boolean {
    return existsSync(this.path(hostPath));
  }

  private callsSoFar(): string[] {
    return existsSync(this.callsFile) ? readFileSync(this.callsFile, 'utf8').split('\n').filter(Boolean) : [];
  }

  private runEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    return { ...this.env, FAKE_CONTAINERD_VERSION: this.containerdVersion, FAKE_IS_ACTIVE: String(this.isActive), ...extra };
  }

  /** Runs `installer.sh command` to completion. */
  run(command: string, extra: Record<string, string> = {}): RunResult {
    const before = this.callsSoFar().length;
    const r = spawnSync('bash', [this.scriptPath, command], { env: this.runEnv(extra), encoding: 'utf8', timeout: 60_000 });
    if (r.status === null) throw new Error(`installer ${command} was killed: ${r.stderr}`);
    return { code: r.status, stderr: r.stderr, calls: this.callsSoFar().slice(before) };
  }

  /** Runs `installer.sh command` without blocking the event loop (for probes against listeners of this process). */
  runAsync(command: string, extra: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
      execFile('bash', [this.scriptPath, command], { env: this.runEnv(extra), timeout: 30_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
      });
    });
  }

  /**
   * Host paths that differ between two snapshots, and those among them outside every host mount
   * of the DaemonSet (which a real pod could not have touched: must be empty).
   */
  touchedOutsideMounts(before: Record<string, string>, after: Record<string, string>, mounts: readonly HostMount[]): { touched: string[]; outside: string[] } {
    const touched = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).map((k) => `/${k.replace(/\/$/, '')}`).sort();
    const inside = (p: string) => mounts.some((m) => !m.readOnly && (p === m.hostPath || p.startsWith(`${m.hostPath}/`)));
    return { touched, outside: touched.filter((p) => !inside(p)) };
  }

  /** Every file and folder of the host (except systemd's copied units) with content hash and mode. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        const rel = relative(this.host, full);
        if (rel === 'usr/lib/systemd/system') continue;
        const st = statSync(full);
        if (entry.isDirectory()) {
          out[`${rel}/`] = (st.mode & 0o7777).toString(8);
          walk(full);
        } else {
          out[rel] = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${readFileSync(full).toString('base64')}`;
        }
      }
    };
    walk(this.host);
    return out;
  }
}

/** `containerd config dump` of a host's main config with the real containerd (imports mapped into the fake root). */
export function realConfigDump(node: FakeNode): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(node.dir, 'stubs', 'containerd'), '--config', '/etc/containerd/config.toml', 'config', 'dump'], {
    env: { ...node.env, FAKE_CONTAINERD_VERSION: node.containerdVersion },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
