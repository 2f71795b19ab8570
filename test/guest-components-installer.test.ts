// The rendered installer (script, node files and environment exactly as the DaemonSet gets them)
// run on fake nodes: idempotence, restarts, backups, uninstall, refusals, and the merged
// containerd config as the real containerd loads it. systemctl and nsenter are stubs that record
// calls; `containerd config dump` is the real containerd 2.3 (built from the Go module proxy at
// the version the nodes run: scripts/install-tools.sh).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { containerdConfigToml } from '../src/infra/cloud-init/containerd-config';
import { HOST } from '../src/k8s/guest-components/host-layout';
import { repoRoot, run } from './support/tools';
import { makeTempRepo } from './support/repo';
import { FakeNode, find, fixture, guestComponentObjects, podSpec, realConfigDump, removeFakeNodes, renderedInstaller, type RenderedInstaller } from './guest-components-support';
import { createHash } from 'node:crypto';

const TDX = renderedInstaller(guestComponentObjects(repoRoot(), 'azure-tdx'));
const DECODER = `${HOST.prefix}/bin/ctd-decoder`;
const MUTATING = /^systemctl (restart|start|stop|enable|disable|daemon-reload|reload)/;
const STARTED_QUERY = 'systemctl show containerd --property=ActiveEnterTimestamp --value --timestamp=unix';

/** The timestamped backups of the node's containerd config, oldest first. */
const backups = (node: FakeNode): string[] => readdirSync(node.path('/etc/containerd')).filter((f) => f.startsWith('config.toml.coco-guest-components.')).sort();

type Toml = Record<string, unknown>;
const at = (t: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v as Toml | undefined)?.[k], t);

function dump(node: FakeNode): Toml {
  const r = realConfigDump(node);
  // containerd 2.3 migrates version 3 files (the drop-in, some node configs) on load, and says so.
  expect(r.stderr.split('\n').filter((l) => l !== '' && !/Configuration migrated from version 3/.test(l))).toEqual([]);
  expect(r.code).toBe(0);
  return parse(r.stdout) as Toml;
}

/** What containerd will run for encrypted layers, and with which key model. */
function decryption(t: Toml) {
  const sp = (id: string) => at(t, 'stream_processors', id) as Toml | undefined;
  return {
    tar: sp('io.containerd.ocicrypt.decoder.v1.tar'),
    gzip: sp('io.containerd.ocicrypt.decoder.v1.tar.gzip'),
    keyModel: images(t, 'image_decryption', 'key_model'),
    localPull: images(t, 'use_local_image_pull'),
  };
}

const images = (t: Toml, ...keys: string[]) => at(t, 'plugins', 'io.containerd.cri.v1.images', ...keys);
const runc = (t: Toml, ...keys: string[]) => at(t, 'plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc', ...keys);

afterAll(removeFakeNodes);

describe('installer on a node configured by the infrastructure (imports conf.d/*.toml)', () => {
  const original = containerdConfigToml();
  let node: FakeNode;
  let first: ReturnType<FakeNode['run']>;
  let afterFirst: Record<string, string>;

  beforeAll(() => {
    node = new FakeNode(TDX, original);
    first = node.run('install');
    afterFirst = node.snapshot();
  });

  it('first run installs everything and restarts each service once', () => {
    expect(first.stderr).toContain('install complete');
    expect(first.code).toBe(0);
    expect(first.calls.filter((c) => MUTATING.test(c))).toEqual([
      'systemctl daemon-reload',
      `systemctl enable ${HOST.aaUnit} ${HOST.cdhUnit}`,
      `systemctl restart ${HOST.aaUnit} ${HOST.cdhUnit}`,
      'systemctl restart containerd',
    ]);
    // Host commands ran in all of PID 1's namespaces.
    expect(new Set(readFileSync(`${node.callsFile}.nsenter`, 'utf8').trim().split('\n'))).toEqual(new Set(['--target 1 --mount --uts --ipc --net --pid']));
    for (const f of ['bin/attestation-agent', 'bin/confidential-data-hub', 'bin/ctd-decoder', 'lib/libtss2-esys.so.0']) expect(node.exists(`${HOST.prefix}/${f}`)).toBe(true);
    expect(node.read(HOST.containerdDropIn)).toBe(TDX.nodeFiles['containerd-drop-in.toml']);
    expect(node.read(`${HOST.unitDir}/${HOST.aaUnit}`)).toBe(TDX.nodeFiles[HOST.aaUnit]);
  });

  it('leaves the main config byte for byte alone (its imports already cover the drop-in), so no backup', () => {
    expect(node.read(HOST.containerdConfig)).toBe(original);
    expect(backups(node)).toEqual([]);
  });

  it('writes the KBS CA certificate from the mounted Secret into the AA and CDH configs', () => {
    const pem = fixture('kbs-ca.crt');
    const aa = parse(node.read(`${HOST.etc}/attestation-agent.toml`)) as Toml;
    const cdh = parse(node.read(`${HOST.etc}/confidential-data-hub.toml`)) as Toml;
    expect(at(aa, 'token_configs', 'kbs')).toEqual({ url: 'https://10.96.0.80:8080', cert: pem });
    expect(at(cdh, 'kbc')).toEqual({ name: 'cc_kbc', url: 'https://10.96.0.80:8080', kbs_cert: pem });
    expect(JSON.parse(node.read(`${HOST.etc}/ocicrypt_keyprovider.conf`))).toEqual({ 'key-providers': { 'attestation-agent': { grpc: '127.0.0.1:50000' } } });
  });

  it('second run changes nothing and restarts nothing', () => {
    const second = node.run('install');
    expect(second.code).toBe(0);
    expect(second.calls.filter((c) => MUTATING.test(c))).toEqual([]);
    // Only read-only checks: are the services up.
    expect(second.calls).toEqual([`systemctl is-active --quiet ${HOST.aaUnit}`, `systemctl is-active --quiet ${HOST.cdhUnit}`, STARTED_QUERY]);
    expect(second.stderr).toContain('containerd config unchanged');
    // Not a byte or a modification time.
    expect(node.snapshot()).toEqual(afterFirst);
  });

  it('starts a service that is not active, without restarting anything else', () => {
    node.isActive = 3;
    const r = node.run('install');
    node.isActive = 0;
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => MUTATING.test(c))).toEqual([`systemctl start ${HOST.aaUnit}`, `systemctl start ${HOST.cdhUnit}`]);
  });

  it('the real containerd loads the result: our decoder for both encrypted media types, key model node, client pull path, CRI settings intact', () => {
    const d = decryption(dump(node));
    expect(d.tar).toMatchObject({ accepts: ['application/vnd.oci.image.layer.v1.tar+encrypted'], returns: 'application/vnd.oci.image.layer.v1.tar', path: DECODER });
    expect(d.gzip).toMatchObject({ accepts: ['application/vnd.oci.image.layer.v1.tar+gzip+encrypted'], returns: 'application/vnd.oci.image.layer.v1.tar+gzip', path: DECODER });
    for (const p of [d.tar, d.gzip]) expect(p?.env).toEqual([`OCICRYPT_KEYPROVIDER_CONFIG=${HOST.etc}/ocicrypt_keyprovider.conf`]);
    expect(d.keyModel).toBe('node');
    expect(d.localPull).toBe(true);
    const t = dump(node);
    expect(runc(t, 'options', 'SystemdCgroup')).toBe(true);
    expect(images(t, 'pinned_images', 'sandbox')).toBe('registry.k8s.io/pause:3.10.2');
  });

  it('systemd-analyze verifies the installed units against the installed binaries', () => {
    const units = [HOST.aaUnit, HOST.cdhUnit].map((u) => node.path(`${HOST.unitDir}/${u}`));
    const ok = run('systemd-analyze', ['verify', '--man=no', `--root=${node.host}`, ...units]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // Control: the same check fails once a binary is missing.
    const other = new FakeNode(TDX, original);
    expect(other.run('install').code).toBe(0);
    unlinkSync(other.path(`${HOST.prefix}/bin/confidential-data-hub`));
    const bad = run('systemd-analyze', ['verify', '--man=no', `--root=${other.host}`, ...[HOST.aaUnit, HOST.cdhUnit].map((u) => other.path(`${HOST.unitDir}/${u}`))]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`${HOST.prefix}/bin/confidential-data-hub is not executable`);
  });

  it('a changed node config re-installs only what changed and restarts only what reads it', () => {
    const changed = new FakeNode(TDX, original);
    expect(changed.run('install').code).toBe(0);
    // A new CDH config (e.g. another log level) restarts CDH only; a new drop-in restarts containerd only.
    writeFileSync(join(changed.config, 'confidential-data-hub.toml'), TDX.nodeFiles['confidential-data-hub.toml'].replace('level = "info"', 'level = "debug"'));
    const r = changed.run('install');
    expect(r.calls.filter((c) => MUTATING.test(c))).toEqual([`systemctl restart ${HOST.cdhUnit}`]);
    writeFileSync(join(changed.config, 'containerd-drop-in.toml'), `${TDX.nodeFiles['containerd-drop-in.toml']}# changed\n`);
    const r2 = changed.run('install');
    expect(r2.calls.filter((c) => MUTATING.test(c))).toEqual(['systemctl restart containerd']);
  });

  it('uninstall stops the services and leaves the node exactly as before', () => {
    const fresh = new FakeNode(TDX, original);
    const before = fresh.snapshot();
    expect(fresh.run('install').code).toBe(0);
    const r = fresh.run('uninstall');
    expect(r.stderr).toContain('uninstall complete');
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => MUTATING.test(c))).toEqual([
      `systemctl disable --now ${HOST.aaUnit} ${HOST.cdhUnit}`,
      'systemctl daemon-reload',
      'systemctl restart containerd',
    ]);
    expect(fresh.snapshot()).toEqual(before);
  });
});

describe('why the drop-in may carry CRI image settings (containerd 2.x merges imports deeply)', () => {
  it('with the real containerd, an imported CRI images table changes only its own keys', () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    mkdirSync(node.path('/etc/containerd/conf.d'), { recursive: true });
    writeFileSync(node.path('/etc/containerd/conf.d/one-key.toml'), 'version = 3\n[plugins."io.containerd.cri.v1.images".image_decryption]\n  key_model = ""\n');
    const t = dump(node);
    expect(images(t, 'image_decryption', 'key_model')).toBe('');
    expect(runc(t, 'options', 'SystemdCgroup')).toBe(true);
    expect(images(t, 'pinned_images', 'sandbox')).toBe('registry.k8s.io/pause:3.10.2');
  });
});

describe('installer on a node config without imports (seed 000 §6.1)', () => {
  const original = fixture('seed-config.toml');
  let node: FakeNode;
  let before: Record<string, string>;

  beforeAll(() => {
    node = new FakeNode(TDX, original);
    before = node.snapshot();
  });

  it('adds one import line on top, backs up the original, restarts containerd once', () => {
    const r = node.run('install');
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c === 'systemctl restart containerd')).toHaveLength(1);
    const merged = node.read(HOST.containerdConfig);
    expect(merged).toBe(
      `# coco-guest-components: import of the image decryption drop-in (uninstall restores the previous file)\nimports = ["${HOST.containerdDropIn}"]\n${original}`,
    );
    const [backup] = backups(node);
    expect(backup).toMatch(/^config\.toml\.coco-guest-components\.\d{8}T\d{15}Z\.bak$/);
    expect(node.read(`/etc/containerd/${backup}`)).toBe(original);
    expect(r.stderr).toContain(`backed up /etc/containerd/config.toml to /etc/containerd/${backup}`);
  });

  it('the real containerd: our decoder replaces the seed decoders of both ids, the client pull path is on, everything else stays', () => {
    const t = dump(node);
    const d = decryption(t);
    expect(d.tar?.path).toBe(DECODER);
    expect(d.gzip?.path).toBe(DECODER);
    expect(d.keyModel).toBe('node');
    // The node said false; the drop-in, imported after it, wins.
    expect(d.localPull).toBe(true);
    // Unrelated settings, including the seed's own zstd processor, survive.
    expect(at(t, 'stream_processors', 'io.containerd.ocicrypt.decoder.v1.tar.zstd', 'path')).toBe('/usr/local/bin/ctd-decoder');
    expect(runc(t, 'options', 'SystemdCgroup')).toBe(true);
    expect(images(t, 'pinned_images', 'sandbox')).toBe('registry.k8s.io/pause:3.9');
    expect(images(t, 'snapshotter')).toBe('overlayfs');
  });

  it('second run: no change, no restart, backup untouched', () => {
    const snap = node.snapshot();
    const r = node.run('install');
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => MUTATING.test(c))).toEqual([]);
    expect(node.snapshot()).toEqual(snap);
  });

  it('uninstall restores the backup byte for byte (and its modification time)', () => {
    const r = node.run('uninstall');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('restored /etc/containerd/config.toml from its backup');
    expect(node.snapshot()).toEqual(before);
  });

  it('uninstall refuses, changing nothing, when the config was edited after the install', () => {
    const edited = new FakeNode(TDX, original);
    expect(edited.run('install').code).toBe(0);
    writeFileSync(edited.path(HOST.containerdConfig), `${edited.read(HOST.containerdConfig)}\n[debug]\n  level = "debug"\n`);
    const snap = edited.snapshot();
    const r = edited.run('uninstall');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/etc/containerd/config.toml changed after the install; nothing was uninstalled');
    expect(r.calls).toEqual([]);
    expect(edited.snapshot()).toEqual(snap);
  });
});

describe('installer on other node configs', () => {
  it('one-line imports array, key_model "" and the transfer service: appends the drop-in import only; the drop-in turns decryption on', () => {
    const original = fixture('key-model-empty.toml');
    const node = new FakeNode(TDX, original);
    writeFileSync(node.path('/etc/containerd/runtimes.toml'), fixture('runtimes.toml'));
    // Control: as the node has it, containerd would not decrypt (empty key model, default decoder, transfer service).
    const d0 = decryption(dump(node));
    expect([d0.keyModel, d0.tar?.path, d0.localPull]).toEqual(['', 'ctd-decoder', false]);

    const r = node.run('install');
    expect(r.code).toBe(0);
    const merged = node.read(HOST.containerdConfig);
    const lines = (s: string) => s.split('\n');
    // Exactly one line differs from the original.
    const diff = lines(merged).flatMap((l, i) => (l === lines(original)[i] ? [] : [[lines(original)[i], l]]));
    expect(diff).toEqual([['imports = ["/etc/containerd/runtimes.toml"] # site runtimes', `imports = ["/etc/containerd/runtimes.toml", "${HOST.containerdDropIn}"] # site runtimes`]]);
    const t = dump(node);
    const d = decryption(t);
    expect([d.tar?.path, d.gzip?.path, d.keyModel, d.localPull]).toEqual([DECODER, DECODER, 'node', true]);
    expect(at(t, 'plugins', 'io.containerd.internal.v1.opt', 'path')).toBe('/opt/containerd');
    expect(images(t, 'registry', 'config_path')).toBe(`${node.host}/etc/containerd/certs.d`);
    expect(at(t, 'oom_score')).toBe(-999);

    expect(node.run('uninstall').code).toBe(0);
    expect(node.read(HOST.containerdConfig)).toBe(original);
  });

  it('no containerd config at all: writes a minimal one, and uninstall removes it again', () => {
    const node = new FakeNode(TDX, undefined);
    const before = node.snapshot();
    expect(node.run('install').code).toBe(0);
    // The version containerd 2.3 writes itself.
    expect(node.read(HOST.containerdConfig)).toContain(`imports = ["${HOST.containerdDropIn}"]\nversion = 4\n`);
    expect(decryption(dump(node)).tar?.path).toBe(DECODER);
    expect(node.run('uninstall').code).toBe(0);
    expect(node.snapshot()).toEqual(before);
  });

  it('a later import that undoes the drop-in is caught by containerd itself: rolled back, no restart', () => {
    const original = fixture('later-import-overrides.toml');
    const node = new FakeNode(TDX, original);
    writeFileSync(node.path('/etc/containerd/zz-site.toml'), fixture('zz-site.toml'));
    const r = node.run('install');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('containerd config dump: use_local_image_pull is not true');
    expect(r.stderr).toContain('restored the previous files, containerd was not restarted');
    expect(r.calls.filter((c) => /restart containerd/.test(c))).toEqual([]);
    expect(node.read(HOST.containerdConfig)).toBe(original);
    expect(node.exists(HOST.containerdDropIn)).toBe(false);
  });

  it.each([
    ['multiline-imports.toml', 'cannot parse the imports array of /etc/containerd/config.toml'],
    ['version1.toml', "is not a containerd 2.x config (no 'version = 3' or 'version = 4'); convert it with 'containerd config migrate' first"],
    ['version2.toml', "is not a containerd 2.x config (no 'version = 3' or 'version = 4'); convert it with 'containerd config migrate' first"],
  ])('%s is refused before anything is written', (file, message) => {
    const node = new FakeNode(TDX, fixture(file));
    const before = node.snapshot();
    const r = node.run('install');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.calls).toEqual([]);
    expect(node.snapshot()).toEqual(before);
  });
});

describe('least host access', () => {
  const ds = find(guestComponentObjects(repoRoot(), 'azure-tdx'), 'DaemonSet');
  const spec = podSpec(ds);

  it('mounts only the folders the installer writes and the AA socket folder, never the host root', () => {
    expect(TDX.hostMounts).toEqual([
      { hostPath: HOST.prefix, type: 'DirectoryOrCreate', readOnly: false },
      { hostPath: '/etc/containerd', type: 'DirectoryOrCreate', readOnly: false },
      { hostPath: '/etc/systemd/system', type: 'Directory', readOnly: false },
      { hostPath: '/run/confidential-containers', type: 'DirectoryOrCreate', readOnly: true },
    ]);
    expect(spec.priorityClassName).toBe('system-node-critical');
  });

  it('install, reinstall and uninstall touch nothing outside the writable mounts (what a real pod could not reach)', () => {
    const node = new FakeNode(TDX, fixture('seed-config.toml'));
    const before = node.snapshot();
    expect(node.run('install').code).toBe(0);
    const installed = node.snapshot();
    const first = node.touchedOutsideMounts(before, installed, TDX.hostMounts);
    expect(first.touched).toEqual(expect.arrayContaining(['/etc/containerd/config.toml', `${HOST.prefix}/bin/ctd-decoder`, `${HOST.unitDir}/${HOST.aaUnit}`]));
    expect(first.outside).toEqual([]);
    expect(node.run('uninstall').code).toBe(0);
    expect(node.touchedOutsideMounts(installed, node.snapshot(), TDX.hostMounts).outside).toEqual([]);
    // The kubelet made the install dir for the mount: uninstall empties it and leaves it.
    expect(node.snapshot()).toEqual(before);
  });
});

describe('verified payload', () => {
  it('refuses a tampered binary before writing anything', () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    appendFileSync(join(node.payload, 'bin', 'confidential-data-hub'), '# tampered\n');
    const before = node.snapshot();
    const r = node.run('install');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('payload does not match its manifest, nothing installed: bin/confidential-data-hub: FAILED');
    expect(r.calls).toEqual([]);
    expect(node.snapshot()).toEqual(before);
  });

  it('refuses a file the manifest does not list, and a manifest that is missing', () => {
    const extra = new FakeNode(TDX, containerdConfigToml());
    writeFileSync(join(extra.payload, 'lib', 'libinjected.so'), 'x');
    expect(extra.run('install').stderr).toContain('payload files and manifest differ: > lib/libinjected.so');
    const none = new FakeNode(TDX, containerdConfigToml());
    unlinkSync(join(none.payload, 'SHA256SUMS'));
    expect(none.run('install').stderr).toContain('/SHA256SUMS is missing');
  });

  it('with the manifest digest pinned in config, refuses any other manifest', () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    const pinned = createHash('sha256').update(readFileSync(join(node.payload, 'SHA256SUMS'))).digest('hex');
    expect(node.run('install', { PAYLOAD_MANIFEST_SHA256: pinned }).code).toBe(0);
    const other = new FakeNode(TDX, containerdConfigToml());
    const r = other.run('install', { PAYLOAD_MANIFEST_SHA256: '0'.repeat(64) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not the pinned ${'0'.repeat(64)} (guestComponents.payloadManifestSha256)`);
  });
});

describe('images/guest-components/assemble-payload.sh', () => {
  it('lays out a payload whose manifest the installer accepts, pinned by the digest it prints', () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    const out = join(node.dir, 'assembled');
    const bin = (n: string) => join(node.payload, 'bin', n);
    const r = spawnSync('bash', [join(repoRoot(), 'images/guest-components/assemble-payload.sh'), out, bin('attestation-agent'), bin('confidential-data-hub'), bin('ctd-decoder'), join(node.payload, 'lib', 'libtss2-esys.so.0')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const digest = r.stdout.trim();
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(node.payload, 'SHA256SUMS'), 'utf8'));
    expect(node.run('install', { PAYLOAD_DIR: out, PAYLOAD_MANIFEST_SHA256: digest }).code).toBe(0);
  });
});

describe('containerd running an old config', () => {
  it('is restarted by the next install even when no file changed (the readiness probe test shows it is not ready until then)', () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    expect(node.run('install').code).toBe(0);
    // As if the pod had been killed between writing the drop-in and restarting containerd.
    const stale = { FAKE_CONTAINERD_STARTED: '0' };
    const r = node.run('install', stale);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('restarting containerd (it runs a config older than its files');
    expect(r.calls.filter((c) => MUTATING.test(c))).toEqual(['systemctl restart containerd']);
  });
});

describe('timestamped backups', () => {
  it('keeps the last BACKUPS_KEPT of the operator\'s configs, and uninstall restores the newest', () => {
    const node = new FakeNode(TDX, fixture('seed-config.toml'));
    const edits: string[] = [];
    for (let i = 1; i <= 3; i++) {
      // The operator replaces the config (no import of ours): each install backs it up first.
      const text = `${fixture('seed-config.toml')}# operator edit ${i}\n`;
      edits.push(text);
      writeFileSync(node.path(HOST.containerdConfig), text);
      const r = node.run('install', { BACKUPS_KEPT: '2' });
      expect(r.code).toBe(0);
    }
    expect(backups(node).map((b) => node.read(`/etc/containerd/${b}`))).toEqual([edits[1], edits[2]]);
    expect(node.run('uninstall', { BACKUPS_KEPT: '2' }).code).toBe(0);
    expect(node.read(HOST.containerdConfig)).toBe(edits[2]);
  });
});

describe('containerd version gate', () => {
  it.each(['v1.7.30', '1.6.20~ds1', 'v2.0.5', 'v2.1.6', 'v2.2.1'])('refuses containerd %s with one clear line, touching nothing', (version) => {
    const node = new FakeNode(TDX, containerdConfigToml());
    node.containerdVersion = version;
    const before = node.snapshot();
    const r = node.run('install');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`refusing to install: the node runs containerd ${version.replace(/^v/, '').replace(/~.*$/, '')}. Node-level image decryption needs containerd 2.1.7+, 2.2.2+ or 2.3 and later`);
    expect(r.calls).toEqual([]);
    expect(node.snapshot()).toEqual(before);
  });

  it('accepts the first decrypting patch of each 2.x line and Debian-style version strings', () => {
    for (const version of ['v2.1.7', '2.2.2~ds1', 'v2.3.4', 'v2.4.0']) {
      const node = new FakeNode(TDX, containerdConfigToml());
      node.containerdVersion = version;
      const r = node.run('install');
      expect(r.stderr).toContain(`containerd ${version.replace(/^v/, '').replace(/~.*$/, '')} on the node`);
      expect(r.code).toBe(0);
    }
  });
});

describe('KBS CA certificate input', () => {
  it.each([
    ['not a certificate', 'hello\n', 'is not a PEM certificate'],
    ['a private key next to the certificate', `${fixture('kbs-ca.crt')}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`, 'holds more than PEM certificates'],
  ])('refuses %s before touching the node', (_what, content, message) => {
    const node = new FakeNode(TDX, containerdConfigToml(), { kbsCa: content });
    const before = node.snapshot();
    const r = node.run('install');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.calls).toEqual([]);
    expect(node.snapshot()).toEqual(before);
  });
});

describe('offline_fs_kbc (dev profile only)', () => {
  let rendered: RenderedInstaller;
  beforeAll(() => {
    const dir = makeTempRepo();
    mkdirSync(join(dir, 'config/environments'), { recursive: true });
    writeFileSync(join(dir, 'config/environments/gc-lab.yaml'), fixture('dev-offline.yaml'));
    rendered = renderedInstaller(guestComponentObjects(dir, 'gc-lab'));
  });

  it('installs the resources file from the Secret with mode 0600 and configures CDH without a KBS', () => {
    const node = new FakeNode(rendered, containerdConfigToml(), { offlineResources: '{"default/image_key/nginx": "c2VjcmV0"}\n' });
    const r = node.run('install');
    expect(r.code).toBe(0);
    expect(node.read(HOST.offlineResources)).toBe('{"default/image_key/nginx": "c2VjcmV0"}\n');
    expect(statSync(node.path(HOST.offlineResources)).mode & 0o777).toBe(0o600);
    expect(at(parse(node.read(`${HOST.etc}/confidential-data-hub.toml`)), 'kbc')).toEqual({ name: 'offline_fs_kbc' });
    expect(at(parse(node.read(`${HOST.etc}/attestation-agent.toml`)), 'token_configs')).toBeUndefined();
    expect(node.run('uninstall').code).toBe(0);
    expect(node.exists(HOST.offlineResources)).toBe(false);
  });
});

describe('readiness probe', () => {
  const listen = (server: Server, target: string | number): Promise<void> =>
    new Promise((resolve) => (typeof target === 'number' ? server.listen(target, '127.0.0.1', resolve) : server.listen(target, resolve)));
  const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

  it('passes only after the install and while both AA and CDH answer', async () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    expect(node.run('install').code).toBe(0);
    const cdh = createServer((s) => s.end());
    await listen(cdh, 0);
    const port = (cdh.address() as { port: number }).port;
    const env = { KEY_PROVIDER_ADDRESS: `127.0.0.1:${port}` };
    const sock = node.path(HOST.aaSocket);
    mkdirSync(join(sock, '..'), { recursive: true });
    const aa = createServer((s) => s.end());
    await listen(aa, sock);

    // `install` alone does not mark the pod ready: only `run` does, after a complete install.
    expect((await node.runAsync('probe', env)).stderr).toContain('not ready: the install has not finished');
    writeFileSync(join(node.state, 'installed'), '');
    const ready = await node.runAsync('probe', env);
    expect(ready.stderr).toBe('');
    expect(ready.code).toBe(0);

    node.isActive = 3;
    expect((await node.runAsync('probe', env)).stderr).toContain(`not ready: ${HOST.aaUnit} or ${HOST.cdhUnit} is not active`);
    node.isActive = 0;

    // containerd started before its config last changed (a restart that never happened).
    expect((await node.runAsync('probe', { ...env, FAKE_CONTAINERD_STARTED: '0' })).stderr).toContain(
      `not ready: containerd runs a config older than ${HOST.containerdConfig} or ${HOST.containerdDropIn} (the next installer run restarts it)`,
    );

    await close(cdh);
    const noCdh = await node.runAsync('probe', env);
    expect(noCdh.code).not.toBe(0);
    expect(noCdh.stderr).toContain(`not ready: confidential-data-hub does not answer on 127.0.0.1:${port}`);

    await listen(cdh, port);
    await close(aa);
    writeFileSync(sock, ''); // a stale socket path left behind by a dead AA
    const noAa = await node.runAsync('probe', env);
    expect(noAa.code).not.toBe(0);
    expect(noAa.stderr).toContain(`not ready: attestation-agent does not answer on ${HOST.aaSocket}`);
    await close(cdh);
  });

  it('run installs, marks the pod ready, and exits promptly on SIGTERM', async () => {
    const node = new FakeNode(TDX, containerdConfigToml());
    const child = spawn('bash', [node.scriptPath, 'run'], { env: { ...node.env, FAKE_CONTAINERD_VERSION: node.containerdVersion, FAKE_IS_ACTIVE: '0' }, stdio: 'ignore' });
    const marker = join(node.state, 'installed');
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
