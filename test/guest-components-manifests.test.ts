// The rendered guest-components component: the DaemonSet's privileges and placement, the node
// files as their consumers parse them, and what only a dev profile may render.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { loadEnvironment } from '../src/config/load';
import { defaultValidator } from '../src/render/render';
import { PRIVILEGED_REASON_ANNOTATION } from '../src/render/semantic-rules';
import { GUEST_COMPONENTS_NODE_LABEL } from '../src/shared/node-roles';
import { HOST } from '../src/k8s/guest-components/host-layout';
import { installerScript } from '../src/k8s/guest-components/installer-script';
import type { K8sObject } from '../src/shared/k8s-object';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';
import { find, fixture, guestComponentObjects, podSpec, renderedInstaller } from './guest-components-support';

type Json = Record<string, unknown>;

const tdx = guestComponentObjects(repoRoot(), 'azure-tdx');
const daemonSet = find(tdx, 'DaemonSet', 'guest-components-installer');
const pod = podSpec(daemonSet) as unknown as Json & { containers: Json[]; volumes: Json[] };

/** Renders environment file `text` (named `name`) in a temp repository. */
function objectsOf(text: string, name = 'gc-test'): K8sObject[] {
  const dir = makeTempRepo();
  mkdirSync(join(dir, 'config/environments'), { recursive: true });
  writeFileSync(join(dir, `config/environments/${name}.yaml`), text);
  return guestComponentObjects(dir, name);
}

describe('azure-tdx guest-components', () => {
  it('renders a Namespace, two ConfigMaps and the DaemonSet, all valid for Kubernetes 1.31', () => {
    expect(tdx.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/guest-components-installer',
      'ConfigMap/guest-components-node-config',
      'DaemonSet/guest-components-installer',
      'Namespace/coco-guest-components',
    ]);
    expect(defaultValidator(loadEnvironment(repoRoot(), 'azure-tdx'), tdx)).toEqual([]);
  });

  it('namespace enforces Pod Security privileged (the installer could not run otherwise)', () => {
    expect(find(tdx, 'Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('only the installer container is privileged, with hostPID and the host folders it writes (never the root), and says why', () => {
    expect(pod.containers).toHaveLength(1);
    expect(pod.initContainers).toBeUndefined();
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({ privileged: true });
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes.filter((v) => v.hostPath !== undefined).map((v) => (v.hostPath as { path: string }).path)).toEqual(['/opt/coco-guest-components', '/etc/containerd', '/etc/systemd/system', '/run/confidential-containers']);
    expect(daemonSet.metadata.annotations?.[PRIVILEGED_REASON_ANNOTATION]).toMatch(/hostPath \/opt\/coco-guest-components, \/etc\/containerd, \/etc\/systemd\/system only.*hostPID.*nsenter/);
  });

  it('runs on the nodes the infrastructure labels, one node at a time', () => {
    expect(pod.nodeSelector).toEqual({ [GUEST_COMPONENTS_NODE_LABEL.key]: GUEST_COMPONENTS_NODE_LABEL.value });
    expect(daemonSet.spec).toMatchObject({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
  });

  it('runs the installer from its ConfigMap, pinned image, readiness from the probe command', () => {
    const [c] = pod.containers;
    expect(c.image).toBe('ghcr.io/example-org/coco-guest-components:v0.21.0-imgcrypt-v2.0.3');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.command).toEqual(['/bin/bash', '/etc/coco-guest-components/installer/installer.sh', 'run']);
    expect(c.readinessProbe).toMatchObject({ exec: { command: ['/bin/bash', '/etc/coco-guest-components/installer/installer.sh', 'probe'] } });
    expect(c.livenessProbe).toBeUndefined();
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } });
    expect(find(tdx, 'ConfigMap', 'guest-components-installer').data).toEqual({ 'installer.sh': installerScript() });
  });

  it('mounts the KBS CA Secret (not optional: the pod waits for it) and points the installer at it', () => {
    expect(pod.volumes.find((v) => v.name === 'kbs-ca')).toEqual({ name: 'kbs-ca', secret: { secretName: 'kbs-ca', defaultMode: 0o400, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expect(renderedInstaller(tdx).env.KBS_CA_FILE).toBe('/etc/coco-guest-components/kbs-ca/ca.crt');
  });

  it('node files parse as their consumers read them and point at the in-cluster KBS over https', () => {
    const files = renderedInstaller(tdx).nodeFiles;
    const aa = parseToml(files['attestation-agent.toml']);
    expect(aa).toEqual({ log: { level: 'info' }, eventlog_config: { init_pcr: 17, enable_eventlog: false }, token_configs: { kbs: { url: 'https://10.96.0.80:8080' } } });
    const cdh = parseToml(files['confidential-data-hub.toml']);
    expect(cdh).toEqual({ socket: '127.0.0.1:50000', log: { level: 'info' }, image: { work_dir: '/run/image-rs' }, kbc: { name: 'cc_kbc', url: 'https://10.96.0.80:8080' } });
    expect(JSON.parse(files['ocicrypt_keyprovider.conf'])).toEqual({ 'key-providers': { 'attestation-agent': { grpc: '127.0.0.1:50000' } } });
    const dropIn = parseToml(files['containerd-drop-in.toml']) as Json;
    // containerd 2.x merges imports deeply: the drop-in sets only the keys decryption needs.
    expect(Object.keys(dropIn).sort()).toEqual(['plugins', 'stream_processors', 'version']);
    expect(dropIn.version).toBe(3);
    expect(dropIn.plugins).toEqual({ 'io.containerd.cri.v1.images': { use_local_image_pull: true, image_decryption: { key_model: 'node' } } });
    expect(Object.keys(dropIn.stream_processors as Json).sort()).toEqual(['io.containerd.ocicrypt.decoder.v1.tar', 'io.containerd.ocicrypt.decoder.v1.tar.gzip']);
    // The installer appends the certificates; it relies on these tables coming last.
    expect(files['attestation-agent.toml'].trimEnd().split('\n').slice(-3)[0]).toBe('[token_configs.kbs]');
    expect(files['confidential-data-hub.toml'].trimEnd().split('\n').slice(-4)[0]).toBe('[kbc]');
  });

  it('systemd units: ordered before containerd, CDH bound to AA, restarted on failure', () => {
    const files = renderedInstaller(tdx).nodeFiles;
    const aa = files[HOST.aaUnit];
    const cdh = files[HOST.cdhUnit];
    for (const unit of [aa, cdh]) {
      expect(unit).toContain('Before=containerd.service');
      expect(unit).toContain('Restart=always');
      expect(unit).toContain('WantedBy=multi-user.target');
    }
    expect(cdh).toContain(`Requires=${HOST.aaUnit}`);
    expect(cdh).toContain(`After=${HOST.aaUnit} network-online.target`);
    expect(aa).toContain(`ExecStart=${HOST.prefix}/bin/attestation-agent -c ${HOST.etc}/attestation-agent.toml`);
    expect(cdh).toContain(`ExecStart=${HOST.prefix}/bin/confidential-data-hub -c ${HOST.etc}/confidential-data-hub.toml`);
  });

  it('a change of any node file changes the pod template, so the pods re-install', () => {
    const hash = (objs: K8sObject[]) => (find(objs, 'DaemonSet').spec as { template: { metadata: { annotations: Json } } }).template.metadata.annotations['coco.azure/config-sha256'];
    const base = readEnvFile('azure-tdx');
    expect(hash(objectsOf(base))).toBe(hash(tdx));
    expect(hash(objectsOf(base.replace('  kbsCaSecret:\n    name: kbs-ca\n', '  logLevel: debug\n  kbsCaSecret:\n    name: kbs-ca\n')))).not.toBe(hash(tdx));
  });

  it('renders nothing offline_fs_kbc in production output', () => {
    expect(JSON.stringify(tdx)).not.toMatch(/offline_fs/i);
  });
});

describe('options', () => {
  const base = readEnvFile('azure-tdx');

  it('uninstall mode runs the uninstaller and reports ready once it finished', () => {
    const objs = objectsOf(base.replace('guestComponents:\n', 'guestComponents:\n  action: uninstall\n'));
    const [c] = podSpec(find(objs, 'DaemonSet')).containers as unknown as Json[];
    expect(c.command).toEqual(['/bin/bash', '/etc/coco-guest-components/installer/installer.sh', 'run-uninstall']);
    expect(c.readinessProbe).toMatchObject({ exec: { command: ['/bin/bash', '/etc/coco-guest-components/installer/installer.sh', 'probe-uninstalled'] } });
  });

  it('OnDelete, tolerations, digest, key provider port and log level come from config', () => {
    const objs = objectsOf(
      base.replace(
        '    tag: v0.21.0-imgcrypt-v2.0.3\n',
        `    tag: v0.21.0-imgcrypt-v2.0.3\n    digest: sha256:${'a'.repeat(64)}\n  updateStrategy: OnDelete\n  keyProviderAddress: 127.0.0.1:50001\n  tolerations:\n    - key: node-role.kubernetes.io/control-plane\n      operator: Exists\n      effect: NoSchedule\n`,
      ),
    );
    const ds = find(objs, 'DaemonSet');
    const spec = podSpec(ds) as unknown as Json & { containers: Json[] };
    expect(ds.spec).toMatchObject({ updateStrategy: { type: 'OnDelete' } });
    expect(spec.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.containers[0].image).toBe(`ghcr.io/example-org/coco-guest-components:v0.21.0-imgcrypt-v2.0.3@sha256:${'a'.repeat(64)}`);
    const files = renderedInstaller(objs).nodeFiles;
    expect(parseToml(files['confidential-data-hub.toml']).socket).toBe('127.0.0.1:50001');
    expect(JSON.parse(files['ocicrypt_keyprovider.conf'])['key-providers']['attestation-agent'].grpc).toBe('127.0.0.1:50001');
    expect(renderedInstaller(objs).env.KEY_PROVIDER_ADDRESS).toBe('127.0.0.1:50001');
  });

  it('offline_fs_kbc appears only in a dev profile with its switch, and talks to no KBS', () => {
    const objs = objectsOf(fixture('dev-offline.yaml'));
    const files = renderedInstaller(objs).nodeFiles;
    expect(parseToml(files['confidential-data-hub.toml']).kbc).toEqual({ name: 'offline_fs_kbc' });
    expect(parseToml(files['attestation-agent.toml']).token_configs).toBeUndefined();
    const env = renderedInstaller(objs).env;
    expect(env.OFFLINE_RESOURCES_FILE).toBe('/etc/coco-guest-components/offline-resources/resources.json');
    expect(env.OFFLINE_RESOURCES_PATH).toBe('/etc/aa-offline_fs_kbc-resources.json');
    expect(env.KBS_CA_FILE).toBeUndefined();
    // The key file is a Secret reference: no key bytes in the output.
    expect(JSON.stringify(objs)).not.toMatch(/"default\/image_key/);
  });
});
