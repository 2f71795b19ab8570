import type { K8sObject } from '../src/shared/k8s-object';
import { SEMANTIC_RULES, type SemanticOptions, validateSemantics } from '../src/render/semantic-rules';

type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
interface JsonObject {
  [key: string]: JsonValue;
}
/** A mutable, plain-JSON rendered object, so rows can edit a deep copy. */
type Manifest = JsonObject & { apiVersion: string; kind: string; metadata: JsonObject & { name: string; namespace?: string } };

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OPTIONS: SemanticOptions = { externalNamespaces: ['kube-system'] };

/** Everything a small CoCo app needs, wired correctly. */
function validBundle(): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { 'app.kubernetes.io/part-of': 'coco' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'demo' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'demo' },
      data: { 'app.conf': 'listen 8080', LOG_LEVEL: 'info' },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'web-data', namespace: 'demo' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'demo', annotations: { 'example.com/owner': 'team-a' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web', tier: 'frontend' } },
          spec: {
            runtimeClassName: 'kata-cc',
            serviceAccountName: 'web',
            containers: [
              {
                name: 'web',
                image: 'ghcr.io/example/web:1.2.3',
                ports: [{ name: 'http', containerPort: 8080 }],
                envFrom: [{ configMapRef: { name: 'web-config' } }],
                env: [
                  { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'LOG_LEVEL' } } },
                  { name: 'FEATURES', valueFrom: { configMapKeyRef: { name: 'web-flags', key: 'x', optional: true } } },
                ],
                securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/web' },
                  { name: 'data', mountPath: '/data' },
                  { name: 'creds', mountPath: '/creds' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'web-config', items: [{ key: 'app.conf', path: 'app.conf' }] } },
              { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
              // Secrets come from operators, so an unrendered one is fine.
              { name: 'creds', secret: { secretName: 'web-creds' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'kata-cc' }, handler: 'kata-cc' },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'node-installer',
        namespace: 'kube-system',
        annotations: { 'coco.azure/privileged-reason': 'Installs the Kata runtime on the node.' },
      },
      spec: {
        selector: {
          matchLabels: { name: 'node-installer' },
          matchExpressions: [
            { key: 'app.kubernetes.io/part-of', operator: 'In', values: ['coco'] },
            { key: 'canary', operator: 'DoesNotExist' },
          ],
        },
        template: {
          metadata: { labels: { name: 'node-installer', 'app.kubernetes.io/part-of': 'coco' } },
          spec: {
            hostPID: true,
            containers: [
              {
                name: 'installer',
                image: `quay.io/confidential-containers/reqs-payload@${DIGEST}`,
                securityContext: { privileged: true },
                volumeMounts: [{ name: 'host', mountPath: '/host' }],
              },
            ],
            volumes: [{ name: 'host', hostPath: { path: '/' } }],
          },
        },
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'config-reader', namespace: 'demo' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'web-config-reader', namespace: 'demo' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'demo' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'web-view', namespace: 'demo' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'demo' }],
    },
  ];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bundle's only object of `kind`, or the one named `name`. */
function get(bundle: Manifest[], kind: string, name?: string): Manifest {
  const found = bundle.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''} in the bundle, found ${found.length}`);
  return found[0];
}

/** Sets the value at an RFC 6901 JSON pointer (all parents must exist), e.g. `/metadata/annotations/a~1b`. */
function set(target: JsonObject, pointer: string, value: JsonValue): void {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = segments.pop();
  let node: JsonValue = target;
  for (const segment of segments) {
    const next: JsonValue | undefined = Array.isArray(node) ? node[Number(segment)] : isObject(node) ? node[segment] : undefined;
    if (next === undefined) throw new Error(`no ${segment} on the way to ${pointer}`);
    node = next;
  }
  if (last === undefined) throw new Error(`empty pointer ${pointer}`);
  if (Array.isArray(node)) node[Number(last)] = value;
  else if (isObject(node)) node[last] = value;
  else throw new Error(`cannot set ${pointer}`);
}

function run(bundle: Manifest[]) {
  // Manifest is structurally a K8sObject; the test keeps its own mutable type for editing.
  const objects: K8sObject[] = bundle;
  return validateSemantics(objects, OPTIONS);
}

interface Row {
  readonly rule: string;
  readonly title: string;
  readonly edit: (bundle: Manifest[]) => void;
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

const WEB_CONTAINER = '/spec/template/spec/containers/0';

const ROWS: readonly Row[] = [
  {
    rule: 'privileged-escalation',
    title: 'privileged container with allowPrivilegeEscalation false',
    edit: (b) => set(get(b, 'DaemonSet'), `${WEB_CONTAINER}/securityContext/allowPrivilegeEscalation`, false),
    object: 'DaemonSet/kube-system/node-installer',
    path: `${WEB_CONTAINER}/securityContext`,
    message: 'found privileged: true with allowPrivilegeEscalation: false',
  },
  {
    rule: 'privileged-escalation',
    title: 'SYS_ADMIN added with allowPrivilegeEscalation false',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/securityContext/capabilities`, { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] }),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/securityContext/capabilities/add/1`,
    message: 'when adding SYS_ADMIN; found allowPrivilegeEscalation: false',
  },
  {
    rule: 'selector-labels',
    title: 'matchLabels not on the template',
    edit: (b) => set(get(b, 'Deployment'), '/spec/selector/matchLabels/app', 'api'),
    object: 'Deployment/demo/web',
    path: '/spec/selector/matchLabels/app',
    message: 'expected template label app=api (required by the selector); found app=web',
  },
  {
    rule: 'selector-labels',
    title: 'DoesNotExist expression contradicted by the template',
    edit: (b) => set(get(b, 'DaemonSet'), '/spec/template/metadata/labels/canary', 'true'),
    object: 'DaemonSet/kube-system/node-installer',
    path: '/spec/selector/matchExpressions/1',
    message: 'expected no template label canary; found canary=true',
  },
  {
    rule: 'selector-labels',
    title: 'empty selector',
    edit: (b) => set(get(b, 'Deployment'), '/spec/selector', {}),
    object: 'Deployment/demo/web',
    path: '/spec/selector',
    message: 'expected a non-empty selector',
  },
  {
    rule: 'scope',
    title: 'cluster-scoped RuntimeClass with a namespace',
    edit: (b) => set(get(b, 'RuntimeClass'), '/metadata/namespace', 'demo'),
    object: 'RuntimeClass/demo/kata-cc',
    path: '/metadata/namespace',
    message: 'expected no namespace on cluster-scoped RuntimeClass; found "demo"',
  },
  {
    rule: 'scope',
    title: 'namespaced RoleBinding without a namespace',
    edit: (b) => delete get(b, 'RoleBinding', 'web-view').metadata.namespace,
    object: 'RoleBinding/web-view',
    path: '/metadata/namespace',
    message: 'expected an explicit namespace on namespaced RoleBinding; found none',
  },
  {
    rule: 'namespace-exists',
    title: 'namespace neither rendered nor external',
    edit: (b) => set(get(b, 'DaemonSet'), '/metadata/namespace', 'coco-system'),
    object: 'DaemonSet/coco-system/node-installer',
    path: '/metadata/namespace',
    message: 'expected namespace "coco-system" to be rendered as a Namespace or listed in externalNamespaces',
  },
  {
    rule: 'port-name',
    title: 'targetPort names no container port',
    edit: (b) => set(get(b, 'Service'), '/spec/ports/0/targetPort', 'metrics'),
    object: 'Service/demo/web',
    path: '/spec/ports/0/targetPort',
    message: 'expected targetPort "metrics" to name a container port of selected Deployment/demo/web; found ports [http]',
  },
  {
    rule: 'port-name',
    title: 'second Service port without a name',
    edit: (b) => set(get(b, 'Service'), '/spec/ports/1', { port: 443, targetPort: 8443 }),
    object: 'Service/demo/web',
    path: '/spec/ports/1/name',
    message: 'expected a port name because the Service has 2 ports; found none',
  },
  {
    rule: 'port-name',
    title: 'container port name not an IANA_SVC_NAME',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/ports/1`, { name: 'admin--port', containerPort: 9000 }),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/ports/1/name`,
    message: 'expected container port name to be an IANA_SVC_NAME',
  },
  {
    rule: 'port-name',
    title: 'container port name repeated by a sidecar',
    edit: (b) =>
      set(get(b, 'Deployment'), '/spec/template/spec/containers/1', {
        name: 'proxy',
        image: 'ghcr.io/example/proxy:2.0.0',
        ports: [{ name: 'http', containerPort: 8081 }],
      }),
    object: 'Deployment/demo/web',
    path: '/spec/template/spec/containers/1/ports/0/name',
    message: `expected container port names unique within the pod; found "http" again (first at ${WEB_CONTAINER}/ports/0/name)`,
  },
  {
    rule: 'name',
    title: 'Service name starting with a digit (valid subdomain, invalid DNS-1035)',
    edit: (b) => set(get(b, 'Service'), '/metadata/name', '1web'),
    object: 'Service/demo/1web',
    path: '/metadata/name',
    message: 'expected Service name to be a DNS-1035 label',
  },
  {
    rule: 'name',
    title: 'label key with a space',
    edit: (b) => set(get(b, 'ConfigMap'), '/metadata/labels', { 'bad key': 'x' }),
    object: 'ConfigMap/demo/web-config',
    path: '/metadata/labels/bad key',
    message: 'expected label key to be a qualified name',
  },
  {
    rule: 'name',
    title: 'annotation key with an invalid prefix',
    edit: (b) => set(get(b, 'Deployment'), '/metadata/annotations', { 'Example.com/owner': 'team-a' }),
    object: 'Deployment/demo/web',
    path: '/metadata/annotations/Example.com~1owner',
    message: 'expected annotation key to be a qualified name',
  },
  {
    rule: 'name',
    title: 'container name with an underscore',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/name`, 'web_server'),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/name`,
    message: 'expected container name to be a DNS-1123 label',
  },
  {
    rule: 'reference',
    title: 'configMapKeyRef key missing from the ConfigMap',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/env/0/valueFrom/configMapKeyRef/key`, 'LOG_FORMAT'),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/env/0/valueFrom/configMapKeyRef/key`,
    message: 'expected key "LOG_FORMAT" in ConfigMap demo/web-config; found keys [app.conf, LOG_LEVEL]',
  },
  {
    rule: 'reference',
    title: 'configMap volume naming an unrendered ConfigMap',
    edit: (b) => set(get(b, 'Deployment'), '/spec/template/spec/volumes/0/configMap/name', 'web-settings'),
    object: 'Deployment/demo/web',
    path: '/spec/template/spec/volumes/0/configMap/name',
    message: 'expected ConfigMap "web-settings" in namespace "demo"; found none in the bundle',
  },
  {
    rule: 'reference',
    title: 'PVC claim not rendered',
    edit: (b) => set(get(b, 'Deployment'), '/spec/template/spec/volumes/1/persistentVolumeClaim/claimName', 'web-cache'),
    object: 'Deployment/demo/web',
    path: '/spec/template/spec/volumes/1/persistentVolumeClaim/claimName',
    message: 'expected PersistentVolumeClaim "web-cache" in namespace "demo"',
  },
  {
    rule: 'reference',
    title: 'ServiceAccount not rendered',
    edit: (b) => set(get(b, 'Deployment'), '/spec/template/spec/serviceAccountName', 'api'),
    object: 'Deployment/demo/web',
    path: '/spec/template/spec/serviceAccountName',
    message: 'expected ServiceAccount "api" in namespace "demo"',
  },
  {
    rule: 'reference',
    title: 'RoleBinding to a missing Role',
    edit: (b) => set(get(b, 'RoleBinding', 'web-config-reader'), '/roleRef/name', 'secret-reader'),
    object: 'RoleBinding/demo/web-config-reader',
    path: '/roleRef/name',
    message: 'expected Role "secret-reader" in namespace "demo"; found none in the bundle',
  },
  {
    rule: 'reference',
    title: 'RoleBinding to a non-built-in ClusterRole that is not rendered',
    edit: (b) => set(get(b, 'RoleBinding', 'web-view'), '/roleRef/name', 'viewer'),
    object: 'RoleBinding/demo/web-view',
    path: '/roleRef/name',
    message: 'expected ClusterRole "viewer"; found none in the bundle',
  },
  {
    rule: 'service-selector',
    title: 'Service selecting no pod template',
    edit: (b) => set(get(b, 'Service'), '/spec/selector/app', 'api'),
    object: 'Service/demo/web',
    path: '/spec/selector',
    message: 'expected a pod template in namespace "demo" with labels app=api; found none',
  },
  {
    rule: 'duplicate',
    title: 'same ConfigMap rendered twice',
    edit: (b) => b.push(structuredClone(get(b, 'ConfigMap'))),
    object: 'ConfigMap/demo/web-config',
    path: '/metadata/name',
    message: 'found it at index 2 and 11',
  },
  {
    rule: 'secret-data',
    title: 'Secret with a value',
    edit: (b) =>
      b.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-creds', namespace: 'demo' }, stringData: { password: 'hunter2' } }),
    object: 'Secret/demo/web-creds',
    path: '/stringData',
    message: 'expected no stringData in a rendered Secret; found keys [password]',
  },
  {
    rule: 'image-pinned',
    title: 'image without a tag',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/image`, 'ghcr.io/example/web'),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/image`,
    message: 'found "ghcr.io/example/web"',
  },
  {
    rule: 'image-pinned',
    title: 'registry port mistaken for a tag',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/image`, 'registry.local:5000/web'),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/image`,
    message: 'found "registry.local:5000/web"',
  },
  {
    rule: 'image-pinned',
    title: 'latest tag',
    edit: (b) => set(get(b, 'Deployment'), `${WEB_CONTAINER}/image`, 'ghcr.io/example/web:latest'),
    object: 'Deployment/demo/web',
    path: `${WEB_CONTAINER}/image`,
    message: 'expected an image with a tag other than "latest" or an @sha256: digest; found "ghcr.io/example/web:latest"',
  },
  {
    rule: 'pod-security',
    title: 'hostNetwork without a reason',
    edit: (b) => set(get(b, 'Deployment'), '/spec/template/spec/hostNetwork', true),
    object: 'Deployment/demo/web',
    path: '/metadata/annotations/coco.azure~1privileged-reason',
    message: 'privileged features [/spec/template/spec/hostNetwork]; found none',
  },
  {
    rule: 'pod-security',
    title: 'privileged DaemonSet with a blank reason',
    edit: (b) => set(get(b, 'DaemonSet'), '/metadata/annotations/coco.azure~1privileged-reason', ' '),
    object: 'DaemonSet/kube-system/node-installer',
    path: '/metadata/annotations/coco.azure~1privileged-reason',
    message:
      'privileged features [/spec/template/spec/containers/0/securityContext/privileged, /spec/template/spec/hostPID, /spec/template/spec/volumes/0/hostPath]; found " "',
  },
];

describe('validateSemantics', () => {
  it('accepts the valid bundle', () => {
    expect(run(validBundle())).toEqual([]);
  });

  it('requires namespaces outside the bundle to be declared', () => {
    const problems = validateSemantics(validBundle());
    expect(problems).toEqual([
      expect.objectContaining({ rule: 'namespace-exists', object: 'DaemonSet/kube-system/node-installer', path: '/metadata/namespace' }),
    ]);
  });

  it.each(ROWS.map((row) => [`${row.rule}: ${row.title}`, row] as const))('%s', (_title, row) => {
    const bundle = validBundle();
    row.edit(bundle);
    expect(run(bundle)).toEqual([
      { rule: row.rule, object: row.object, path: row.path, message: expect.stringContaining(row.message) },
    ]);
  });

  it('has a failing case for every rule', () => {
    const covered = new Set(ROWS.map((row) => row.rule));
    expect(SEMANTIC_RULES.filter((rule) => !covered.has(rule))).toEqual([]);
    expect([...covered].filter((rule) => !(SEMANTIC_RULES as readonly string[]).includes(rule))).toEqual([]);
  });
});
