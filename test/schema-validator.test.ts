import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { K8sObject, Problem } from '../src/shared/k8s-object';
import { SCHEMA_FILE, SCHEMA_SOURCES, validateSchemas, type SchemaBundle } from '../src/render/schema-validator';
import { repoRoot } from '../src/shared/repo-files';
import { VERSIONS } from '../src/shared/versions';

const labels = { app: 'web' };

function deployment(spec: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          runtimeClassName: 'kata-cc',
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1, memory: 268435456 } },
            },
          ],
        },
      },
      ...spec,
    },
  };
}

function service(targetPort: unknown): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'demo' },
    spec: { selector: labels, ports: [{ port: 80, targetPort }] },
  };
}

const namespace: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } };

const configMap: K8sObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'web-config', namespace: 'demo' },
  data: { 'nginx.conf': 'events {}' },
};

const daemonSet: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        hostNetwork: true,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'agent', image: 'busybox', securityContext: { privileged: true } }],
      },
    },
  },
};

const runtimeClass: K8sObject = {
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name: 'kata-cc' },
  handler: 'kata-cc',
  overhead: { podFixed: { cpu: '250m', memory: '160Mi' } },
  scheduling: { nodeSelector: { 'katacontainers.io/kata-runtime': 'true' } },
};

function application(spec: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'coco',
      source: { repoURL: 'https://example.com/gitops.git', targetRevision: 'main', path: 'dist/web' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      ...spec,
    },
  };
}

const appProject: K8sObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'coco', namespace: 'argocd' },
  spec: {
    sourceRepos: ['https://example.com/gitops.git'],
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
    clusterResourceWhitelist: [{ group: '*', kind: '*' }],
  },
};

/** The one problem expected from a single object. */
function onlyProblem(o: K8sObject): Problem {
  const problems = validateSchemas([o]);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('validateSchemas', () => {
  it('accepts valid built-in and Argo CD objects', () => {
    const objects = [namespace, deployment(), service(8080), configMap, daemonSet, runtimeClass, application(), appProject];
    expect(validateSchemas(objects)).toEqual([]);
  });

  it('reports an unknown field (typo) with its parent path', () => {
    const d = deployment();
    const { replicas, ...spec } = d.spec as Record<string, unknown>;
    expect(onlyProblem({ ...d, spec: { ...spec, replica: replicas } })).toEqual({
      object: 'Deployment/demo/web',
      rule: 'schema',
      path: '/spec',
      message: 'unknown field "replica"',
    });
  });

  it('reports a wrong type with expected and found values', () => {
    expect(onlyProblem(deployment({ replicas: 'abc' }))).toEqual({
      object: 'Deployment/demo/web',
      rule: 'schema',
      path: '/spec/replicas',
      message: 'must be integer, found "abc"',
    });
  });

  it('reports a missing required field', () => {
    const d = deployment();
    const spec = d.spec as { template: { spec: Record<string, unknown> } };
    const { containers: _containers, ...podSpec } = spec.template.spec;
    const broken = { ...d, spec: { ...spec, template: { ...spec.template, spec: podSpec } } };
    expect(onlyProblem(broken)).toMatchObject({
      rule: 'schema',
      path: '/spec/template/spec',
      message: 'missing required field "containers"',
    });
  });

  it('reports an unknown kind and suggests known apiVersions', () => {
    const problem = onlyProblem({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'old' } });
    expect(problem).toMatchObject({ object: 'Deployment/old', rule: 'schema', path: '/kind' });
    expect(problem.message).toMatch(/^no schema for apiVersion "apps\/v1beta1" kind "Deployment"/);
    expect(problem.message).toContain('known apiVersions for Deployment: apps/v1');

    const made = onlyProblem({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    expect(made.message).toContain('no schema for apiVersion "example.com/v1" kind "Widget"');
    expect(made.message).not.toContain('known apiVersions');
  });

  it('accepts int-or-string both ways and names both types when neither fits', () => {
    expect(validateSchemas([service(8080), service('http')])).toEqual([]);
    expect(onlyProblem(service(true))).toEqual({
      object: 'Service/demo/web',
      rule: 'schema',
      path: '/spec/ports/0/targetPort',
      message: 'must be string or integer, found true',
    });
  });

  it('accepts a Quantity as string or number, nothing else', () => {
    const withMemory = (memory: unknown): K8sObject => ({ ...runtimeClass, overhead: { podFixed: { memory } } });
    expect(validateSchemas([withMemory('1Gi'), withMemory(1073741824), withMemory(0.5)])).toEqual([]);
    expect(onlyProblem(withMemory(['1Gi']))).toMatchObject({
      rule: 'schema',
      path: '/overhead/podFixed/memory',
      message: 'must be string or number, found array',
    });
  });

  it('checks Argo CD Applications against the CRD schema', () => {
    expect(onlyProblem(application({ syncPolcy: {} }))).toEqual({
      object: 'Application/argocd/web',
      rule: 'schema',
      path: '/spec',
      message: 'unknown field "syncPolcy"',
    });
    // The CRD's metadata is validated as real ObjectMeta, not a free-form object.
    const badMeta = { ...application(), metadata: { name: 'web', namespace: 'argocd', label: {} } };
    expect(onlyProblem(badMeta)).toMatchObject({ path: '/metadata', message: 'unknown field "label"' });
    // Helm valuesObject keeps x-kubernetes-preserve-unknown-fields, so any values are fine.
    const helm = { repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0', helm: { valuesObject: { any: { thing: 1 } } } };
    expect(validateSchemas([application({ source: helm })])).toEqual([]);
  });

  it('checks Prometheus Operator ServiceMonitors against the CRD schema', () => {
    const monitor = (endpoint: Record<string, unknown>): K8sObject => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'demo', labels },
      spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s', ...endpoint }] },
    });
    expect(validateSchemas([monitor({}), monitor({ scheme: 'https', tlsConfig: { insecureSkipVerify: true, serverName: 'web.demo.svc' } })])).toEqual([]);
    expect(onlyProblem(monitor({ intervall: '30s' }))).toEqual({
      object: 'ServiceMonitor/demo/web',
      rule: 'schema',
      path: '/spec/endpoints/0',
      message: 'unknown field "intervall"',
    });
    expect(onlyProblem(monitor({ scheme: 'ftp' }))).toMatchObject({ path: '/spec/endpoints/0/scheme' });
    expect(onlyProblem(monitor({ interval: '30 seconds' }))).toMatchObject({ path: '/spec/endpoints/0/interval' });
    // The selector is required by the CRD.
    const { selector: _selector, ...noSelector } = monitor({}).spec as Record<string, unknown>;
    expect(onlyProblem({ ...monitor({}), spec: noSelector })).toMatchObject({ path: '/spec', message: 'missing required field "selector"' });
  });

  it('reports every problem of an object, not just the first', () => {
    const problems = validateSchemas([deployment({ replicas: 'abc', paused: 'no' })]);
    expect(problems.map((p) => p.path).sort()).toEqual(['/spec/paused', '/spec/replicas']);
  });

  it('validates against the pinned Kubernetes release: the one bundle in schemas/ was extracted from it', () => {
    expect(SCHEMA_SOURCES['k8s.io/kubernetes']).toBe(`v${VERSIONS.kubernetes}`);
    const bundle = JSON.parse(readFileSync(join(repoRoot(), SCHEMA_FILE), 'utf8')) as SchemaBundle;
    expect(bundle.source).toEqual(SCHEMA_SOURCES);
    expect(readdirSync(join(repoRoot(), 'schemas'))).toEqual([basename(SCHEMA_FILE)]);
  });

  it('knows fields and API versions of Kubernetes 1.36, not 1.31', () => {
    // Pod-level resources (1.32+) and the container stop signal (1.33+) are absent from 1.31.
    const pod = (deployment().spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
    const newer = deployment({
      template: {
        metadata: { labels },
        spec: { ...pod, resources: { limits: { cpu: '2', memory: '1Gi' } }, containers: [{ ...pod.containers[0], lifecycle: { stopSignal: 'SIGTERM' } }] },
      },
    });
    expect(validateSchemas([newer])).toEqual([]);
    // flowcontrol v1beta3 was removed in 1.32.
    const flowSchema: K8sObject = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'x' } };
    expect(onlyProblem(flowSchema)).toMatchObject({ path: '/kind', message: expect.stringContaining('known apiVersions for FlowSchema: flowcontrol.apiserver.k8s.io/v1') });
  });
});
