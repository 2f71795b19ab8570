// The confidentialize rules (src/confidentialize/rules/): what is refused or stripped under
// --force, what is only warned about, per kind of target; the workload kinds the transform finds
// (CronJob, ReplicaSet, ReplicationController, Lists, Argo Rollouts) and what passes through.
import { confidentializeObjects, type JsonObject } from '../src/confidentialize/transform';
import type { KataTarget, NodeTarget } from '../src/confidentialize/target';
import { INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { readablePath } from '../src/confidentialize/paths';
import { reportValue } from '../src/confidentialize/report-values';

const kata: KataTarget = { kind: 'kata', environment: 'dev', runtimeClass: 'kata-qemu-coco-dev', tee: 'sample', nodeSelector: {}, kbsUrl: 'http://10.96.0.80:8080', production: false };
const nodes: NodeTarget = { kind: 'confidential-nodes', environment: 'azure', nodeSelector: { 'coco.azure/guest-components': 'enabled' }, boundary: 'TDX CVM nodes', production: true };

const IMAGE = `registry.example/app:1.2.3@sha256:${'b'.repeat(64)}`;
const clean = (extra: JsonObject = {}): JsonObject => ({ name: 'app', image: IMAGE, resources: { limits: { memory: '128Mi' } }, ...extra });
const pod = (spec: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { automountServiceAccountToken: false, containers: [clean()], ...spec } });
const deployment = (name: string, spec: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { automountServiceAccountToken: false, containers: [clean()], ...spec } } },
});
const messages = (changes: readonly { message: string }[]) => changes.map((c) => c.message).join('\n');

describe('refused, or stripped under --force', () => {
  it.each<[string, JsonObject, string, string]>([
    ['SYS_ADMIN and SYS_PTRACE', { containers: [clean({ securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN', 'cap_sys_ptrace'] } } })] }, '/spec/containers/0/securityContext/capabilities/add', 'capabilities SYS_ADMIN, cap_sys_ptrace (container app)'],
    ['allowPrivilegeEscalation', { containers: [clean({ securityContext: { allowPrivilegeEscalation: true } })] }, '/spec/containers/0/securityContext/allowPrivilegeEscalation', 'allowPrivilegeEscalation: true (container app)'],
    ['a privileged ephemeral container', { ephemeralContainers: [{ name: 'debug', image: IMAGE, securityContext: { privileged: true } }] }, '/spec/ephemeralContainers/0/securityContext/privileged', 'privileged: true (container debug)'],
    ['a privileged init container', { initContainers: [clean({ name: 'init', securityContext: { privileged: true } })] }, '/spec/initContainers/0/securityContext/privileged', 'privileged: true (container init)'],
  ])('%s', (_, spec, path, found) => {
    const refused = confidentializeObjects([pod(spec)], kata);
    expect(refused.objects).toEqual([]);
    expect(refused.problems).toEqual([expect.objectContaining({ document: 0, path, found, expected: expect.stringContaining('--force') })]);
    const forced = confidentializeObjects([pod(spec)], kata, { force: true });
    expect(forced.problems).toEqual([]);
    expect(forced.warnings.filter((w) => w.path === path)).toHaveLength(1);
  });

  it('--force keeps the safe capabilities, sets allowPrivilegeEscalation to false, drops an emptied securityContext', () => {
    const spec = { containers: [clean({ securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'], drop: ['ALL'] }, allowPrivilegeEscalation: true } }), clean({ name: 'b', securityContext: { privileged: true } })] };
    const [out] = confidentializeObjects([pod(spec)], kata, { force: true }).objects;
    const [a, b] = (out.spec as { containers: JsonObject[] }).containers;
    expect(a.securityContext).toEqual({ capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, allowPrivilegeEscalation: false });
    expect(b.securityContext).toBeUndefined();
  });

  it('safe capabilities alone pass', () => {
    const out = confidentializeObjects([pod({ containers: [clean({ securityContext: { capabilities: { add: ['CHOWN', 'SETUID', 'NET_BIND_SERVICE'] } } })] })], kata);
    expect(out.problems).toEqual([]);
  });

  it('environment without Kata: a Kata runtime class goes with every runtime annotation (--force), or both are refused', () => {
    const input = deployment('web', { runtimeClassName: 'kata-qemu-tdx' });
    const template = (input.spec as { template: JsonObject }).template;
    (template.metadata as JsonObject).annotations = { 'io.containerd.cri.runtime-handler': 'kata-qemu-tdx', [INITDATA_ANNOTATION]: 'H4sI', 'io.katacontainers.config.hypervisor.default_memory': '4096', 'team.example/owner': 'web' };
    const refused = confidentializeObjects([input], nodes);
    expect(refused.problems.map((p) => p.path).sort()).toEqual([
      '/spec/template/metadata/annotations/io.containerd.cri.runtime-handler',
      '/spec/template/metadata/annotations/io.katacontainers.config.hypervisor.cc_init_data',
      '/spec/template/metadata/annotations/io.katacontainers.config.hypervisor.default_memory',
      '/spec/template/spec/runtimeClassName',
    ]);
    const [out] = confidentializeObjects([input], nodes, { force: true }).objects;
    const t = (out.spec as { template: { metadata: JsonObject; spec: JsonObject } }).template;
    expect(t.spec.runtimeClassName).toBeUndefined();
    expect(t.metadata.annotations).toEqual({ 'team.example/owner': 'web' });
  });
});

describe('warnings (the output keeps what the input asked for)', () => {
  it.each<[string, string, RegExp]>([
    ['nginx', 'no tag, so latest', /image nginx of container app is not pinned by digest \(no tag, so latest\)/],
    ['nginx:latest', 'tag latest', /not pinned by digest \(tag latest\)/],
    ['registry.example:5000/app:1.2', 'tag 1.2', /not pinned by digest \(tag 1\.2 without a digest\)/],
  ])('unpinned image %s (%s)', (image, _, message) => {
    const out = confidentializeObjects([pod({ containers: [clean({ image })] })], kata);
    expect(out.problems).toEqual([]);
    expect(messages(out.warnings)).toMatch(message);
    expect(((out.objects[0].spec as { containers: JsonObject[] }).containers[0]).image).toBe(image);
  });

  it('a registry port is not a tag', () => {
    expect(messages(confidentializeObjects([pod({ containers: [clean({ image: 'registry.example:5000/app' })] })], kata).warnings)).toMatch(/\(no tag, so latest\)/);
  });

  it('GPU requests, on Kata and on confidential nodes', () => {
    const spec = { containers: [clean({ resources: { limits: { memory: '1Gi', 'nvidia.com/gpu': 1 } } })] };
    expect(messages(confidentializeObjects([pod(spec)], kata).warnings)).toMatch(/container app requests nvidia\.com\/gpu: runtime class kata-qemu-coco-dev attaches no GPU/);
    expect(messages(confidentializeObjects([pod(spec)], nodes).warnings)).toMatch(/requests nvidia\.com\/gpu: a GPU of the node is outside the confidential VM trust boundary/);
  });

  it('missing memory limits: Kata only (it sizes the VM from them), init containers too, not ephemeral ones', () => {
    const spec = { initContainers: [{ name: 'init', image: IMAGE }], containers: [clean(), { name: 'side', image: IMAGE, resources: { requests: { memory: '1Gi' } } }] };
    const warnings = confidentializeObjects([pod(spec)], kata).warnings.filter((w) => /memory limit/.test(w.message));
    expect(warnings).toEqual([expect.objectContaining({ path: '/spec', message: expect.stringMatching(/^no memory limit on container init, container side: Kata sizes the pod VM/) })]);
    expect(messages(confidentializeObjects([pod(spec)], nodes).warnings)).not.toMatch(/memory limit/);
  });

  it('mounted service-account tokens: the default, and projected ones', () => {
    const spec = { automountServiceAccountToken: undefined, volumes: [{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'vault' } }] } }] };
    const paths = confidentializeObjects([pod(spec)], kata).warnings.filter((w) => /service-account token/.test(w.message)).map((w) => w.path);
    expect(paths).toEqual(['/spec/automountServiceAccountToken', '/spec/volumes/0/projected/sources/0/serviceAccountToken']);
  });

  it('no token warning when the pod inherits automountServiceAccountToken: false from a ServiceAccount of the same input', () => {
    const sa = (name: string, automount: boolean): JsonObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop' }, automountServiceAccountToken: automount });
    const web = (serviceAccountName: string): JsonObject => {
      const d = deployment(serviceAccountName, { automountServiceAccountToken: undefined, serviceAccountName });
      (d.metadata as JsonObject).namespace = 'shop';
      return d;
    };
    const tokenWarnings = (docs: unknown[]) => confidentializeObjects(docs, kata).warnings.filter((w) => /service-account token/.test(w.message)).map((w) => w.object);
    expect(tokenWarnings([sa('quiet', false), sa('loud', true), web('quiet'), web('loud'), web('absent')])).toEqual(['Deployment/loud', 'Deployment/absent']);
    // The same name in another namespace is another ServiceAccount.
    expect(tokenWarnings([{ ...sa('quiet', false), metadata: { name: 'quiet', namespace: 'other' } }, web('quiet')])).toEqual(['Deployment/quiet']);
  });

  it('host-readable volumes: on Kata all but memory emptyDirs; on confidential nodes only storage beyond the node', () => {
    const spec = {
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'ram', emptyDir: { medium: 'Memory' } },
        { name: 'config', configMap: { name: 'c' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
      ],
    };
    const volumeWarnings = (target: KataTarget | NodeTarget) => confidentializeObjects([pod(spec)], target).warnings.filter((w) => w.path.startsWith('/spec/volumes/')).map((w) => w.path);
    expect(volumeWarnings(kata)).toEqual(['/spec/volumes/0', '/spec/volumes/2', '/spec/volumes/3']);
    expect(volumeWarnings(nodes)).toEqual(['/spec/volumes/3']);
  });

  it("a StatefulSet's volumeClaimTemplates are persistent storage outside the pod VM", () => {
    const sts: JsonObject = { ...deployment('db'), kind: 'StatefulSet' };
    (sts.spec as JsonObject).volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } } }];
    const out = confidentializeObjects([sts], kata);
    expect(out.warnings).toEqual([expect.objectContaining({ object: 'StatefulSet/db', path: '/spec/volumeClaimTemplates/0', message: expect.stringMatching(/^volume claim data is persistent storage/) })]);
  });
});

describe('which objects are workloads', () => {
  const template = { metadata: { labels: { app: 'x' } }, spec: { automountServiceAccountToken: false, containers: [clean()] } };
  it.each<[string, JsonObject, string]>([
    ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template } }, '/spec/template/spec/runtimeClassName'],
    ['ReplicationController', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { template } }, '/spec/template/spec/runtimeClassName'],
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } }, '/spec/jobTemplate/spec/template/spec/runtimeClassName'],
    ['Argo Rollout', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { strategy: { canary: {} }, template } }, '/spec/template/spec/runtimeClassName'],
    ['an old extensions/v1beta1 Deployment', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template } }, '/spec/template/spec/runtimeClassName'],
  ])('%s', (_, input, runtimeClassPath) => {
    const out = confidentializeObjects([input], kata);
    expect(out.problems).toEqual([]);
    expect(out.documents[0].changed).toBe(true);
    expect(out.changes.map((c) => c.path)).toContain(runtimeClassPath);
  });

  it('a List: each workload item transformed, other items untouched, paths through /items', () => {
    const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }, deployment('web')] };
    const out = confidentializeObjects([list], kata);
    expect(out.problems).toEqual([]);
    const items = (out.objects[0] as { items: JsonObject[] }).items;
    expect(items[0]).toEqual(list.items[0]);
    expect(((items[1].spec as { template: { spec: JsonObject } }).template.spec).runtimeClassName).toBe('kata-qemu-coco-dev');
    expect(out.untouched).toEqual(['Service/web']);
    expect(out.changes.map((c) => c.path)).toContain('/items/1/spec/template/spec/runtimeClassName');
  });

  it('everything else passes through untouched, in order, as the same value; an ApplicationSet template is no pod template', () => {
    const others: JsonObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'no' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { FLAG: 'no' } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 1 } },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'a' }, spec: { template: { metadata: { name: 'x' }, spec: { project: 'default' } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ok' }, spec: { template } },
    ];
    const out = confidentializeObjects([...others, null], kata);
    expect(out.problems).toEqual([]);
    expect(out.untouched).toEqual(['Namespace/no', 'ConfigMap/c', 'PodDisruptionBudget/p', 'ApplicationSet/a']);
    expect(out.documents.map((d) => d.changed)).toEqual([false, false, false, false, true, false]);
    expect(out.documents.slice(0, 4).map((d) => d.value)).toEqual(others.slice(0, 4));
  });
});

describe('report values and paths', () => {
  it('initdata is shown as its digest, other long values by size, paths without ~1', () => {
    const out = confidentializeObjects([pod({})], kata);
    const initdata = out.changes.find((c) => c.path.endsWith('cc_init_data'));
    expect(initdata?.message).toMatch(/^set initdata \(policy\.rego, aa\.toml and cdh\.toml with KBS http:\/\/10\.96\.0\.80:8080\) digest sha256:[0-9a-f]{64}$/);
    expect(reportValue('x', 'y'.repeat(200))).toMatch(/^200 characters \(sha256:[0-9a-f]{16}\.\.\.\)$/);
    expect(readablePath('/spec/template/spec/nodeSelector/intel.feature.node.kubernetes.io~1tdx')).toBe('spec.template.spec.nodeSelector["intel.feature.node.kubernetes.io/tdx"]');
    expect(readablePath('/items/2/spec/containers/0/image')).toBe('items[2].spec.containers[0].image');
  });

  it('an already-confidential pod reports its initdata digest, not the blob', () => {
    const once = confidentializeObjects([pod({})], kata).objects;
    const again = confidentializeObjects(once, kata);
    const line = again.changes.find((c) => c.path.endsWith('cc_init_data'))?.message ?? '';
    expect(line).toMatch(/already digest sha256:[0-9a-f]{64}$/);
    expect(line.length).toBeLessThan(200);
  });
});
