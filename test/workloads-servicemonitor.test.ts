// Seed 002's ServiceMonitor for the bare-metal confidential-app: rendered with
// workloads.confidentialApp.serviceMonitor, valid against the prometheus-operator CRD schema, and wired
// to a real port of the app's Service.
import { buildManifests } from '../src/k8s/bundle';
import { loadEnvironment } from '../src/config/load';
import { validateSchemas } from '../src/render/schema-validator';
import { validateSemantics } from '../src/render/semantic-rules';
import type { K8sObject } from '../src/shared/k8s-object';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';

type Json = Record<string, unknown>;

/** Objects of bare-metal's confidential-app folder, from the shipped file or from `text`. */
function confidentialApp(text?: string): K8sObject[] {
  const root = text === undefined ? repoRoot() : makeTempRepo({ 'config/environments/bare-metal.yaml': text });
  return buildManifests(loadEnvironment(root, 'bare-metal')).find((f) => f.folder === 'workloads/confidential-app')?.objects.slice() ?? [];
}

const only = (objects: readonly K8sObject[], kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('bare-metal confidential-app ServiceMonitor', () => {
  const objects = confidentialApp();
  const monitor = only(objects, 'ServiceMonitor');
  const service = only(objects, 'Service');
  const deployment = only(objects, 'Deployment');
  const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Json[] };

  it('is the monitoring.coreos.com/v1 kind, next to the Service, valid against the CRD schema', () => {
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata).toMatchObject({ name: 'confidential-app', namespace: service.metadata.namespace });
    expect(validateSchemas([monitor])).toEqual([]);
    expect(validateSemantics(objects)).toEqual([]);
  });

  it('selects the Service by its labels (and nothing else in the folder)', () => {
    const { matchLabels } = spec.selector;
    expect(Object.keys(matchLabels).length).toBeGreaterThan(0);
    expect(service.metadata.labels).toMatchObject(matchLabels);
    const selected = objects.filter((o) => o.kind === 'Service' && Object.entries(matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected).toEqual([service]);
  });

  it('scrapes /metrics over HTTPS on a named Service port that reaches the container https port', () => {
    // Verified against the operator's CA Secret with the Service DNS name (production refuses skipping it).
    expect(spec.endpoints).toEqual([
      { port: 'https', scheme: 'https', path: '/metrics', interval: '30s', tlsConfig: { ca: { secret: { name: 'confidential-app-ca', key: 'ca.crt' } }, serverName: `confidential-app.${service.metadata.namespace}.svc` } },
    ]);
    const ports = (service.spec as { ports: { name?: string; targetPort?: unknown }[] }).ports;
    const port = ports.find((p) => p.name === spec.endpoints[0].port);
    expect(port).toBeDefined();
    const containers = ((deployment.spec as Json).template as { spec: { containers: { ports?: { name?: string }[] }[] } }).spec.containers;
    expect(containers.flatMap((c) => c.ports ?? []).map((p) => p.name)).toContain(port?.targetPort);
  });

  it('is not rendered with serviceMonitor: false', () => {
    const text = readEnvFile('bare-metal');
    const off = text.replace('    serviceMonitor: true\n', '    serviceMonitor: false\n');
    expect(off).not.toBe(text);
    const kinds = confidentialApp(off).map((o) => o.kind);
    expect(kinds).toContain('Service');
    expect(kinds).not.toContain('ServiceMonitor');
  });

  it('production refuses a scrape without a CA; dev may skip verification', () => {
    const text = readEnvFile('bare-metal').replace(/    metricsCaSecret:\n.*\n/, '');
    expect(() => confidentialApp(text)).toThrow('/workloads/confidentialApp/metricsCaSecret: expected a CA Secret reference (profile production refuses a metrics scrape that skips certificate verification)');
    const dev = confidentialApp(text.replace('profile: production', 'profile: dev'));
    expect((only(dev, 'ServiceMonitor').spec as { endpoints: Json[] }).endpoints[0].tlsConfig).toEqual({ insecureSkipVerify: true });
  });
});
