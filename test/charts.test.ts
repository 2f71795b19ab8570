// Helm charts equal the plain manifests: the real helm lints every chart and renders every
// ci/<env>-values.yaml into exactly the objects of dist/<env>/<component>/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { buildChart, type ChartInput } from '../src/render/helm-chart';
import { listFiles } from '../src/render/files';
import type { K8sObject } from '../src/shared/k8s-object';
import { makeTempRepo, runSynth } from './support/repo';
import { run } from './support/tools';

function helmTemplate(chartDir: string, valuesFile: string): K8sObject[] {
  const r = run('helm', ['template', 'release', chartDir, '-f', valuesFile]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
    .sort(byId);
}

const id = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (a: K8sObject, b: K8sObject) => id(a).localeCompare(id(b));

function distObjects(dir: string): K8sObject[] {
  return listFiles(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as K8sObject)
    .sort(byId);
}

function writeChart(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('rendered charts', () => {
  const repo = makeTempRepo();
  beforeAll(() => expect(runSynth(repo).code).toBe(0));

  it('one chart per rendered component', () => {
    expect(readdirSync(join(repo, 'charts')).sort()).toEqual(['guest-components', 'kbs', 'runtime', 'workloads']);
  });

  it('every chart passes helm lint --strict with each of its ci values files', () => {
    for (const chart of readdirSync(join(repo, 'charts'))) {
      const dir = join(repo, 'charts', chart);
      for (const values of readdirSync(join(dir, 'ci'))) {
        const r = run('helm', ['lint', '--strict', dir, '-f', join(dir, 'ci', values)]);
        expect(`${chart}/${values}: ${r.stdout}${r.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
        expect(r.code).toBe(0);
      }
    }
  });

  it('helm template with ci/<env>-values.yaml equals dist/<env>/<component>/', () => {
    let compared = 0;
    for (const chart of readdirSync(join(repo, 'charts'))) {
      for (const values of readdirSync(join(repo, 'charts', chart, 'ci'))) {
        const env = values.replace(/-values\.yaml$/, '');
        const expected = distObjects(join(repo, 'dist', env, chart));
        expect(expected.length).toBeGreaterThan(0);
        expect(helmTemplate(join(repo, 'charts', chart), join(repo, 'charts', chart, 'ci', values))).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('chart versions derive from content only: same content, same version; other content, other version', () => {
    const before = readFileSync(join(repo, 'charts/kbs/Chart.yaml'), 'utf8');
    expect(before).toMatch(/^version: 0\.1\.0\+[0-9a-f]{12}$/m);
    expect(runSynth(repo).code).toBe(0);
    expect(readFileSync(join(repo, 'charts/kbs/Chart.yaml'), 'utf8')).toBe(before);
    const env = join(repo, 'config/environments/coco-dev.yaml');
    const original = readFileSync(env, 'utf8');
    writeFileSync(env, original.replace('kbs:\n  namespace: coco-tenant', 'kbs:\n  namespace: trustee'));
    expect(runSynth(repo).code).toBe(0);
    const changed = readFileSync(join(repo, 'charts/kbs/Chart.yaml'), 'utf8');
    expect(changed).toMatch(/^version: 0\.1\.0\+[0-9a-f]{12}$/m);
    expect(changed).not.toBe(before);
    // Back to the first content: back to the first version (nothing counts renders).
    writeFileSync(env, original);
    expect(runSynth(repo).code).toBe(0);
    expect(readFileSync(join(repo, 'charts/kbs/Chart.yaml'), 'utf8')).toBe(before);
  });
});

describe('buildChart lifts what differs between environments', () => {
  const deployment = (image: string, extra: Record<string, unknown>, env = image === 'img:1' ? 'one' : 'two'): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'demo', labels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': env } },
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'app', image, args: ['--port', '8080'] }], ...extra } },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
    },
  });
  const cm = (text: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'demo' }, data: { 'script.sh': text } });
  const inputs = (...objects: K8sObject[]): ChartInput[] => objects.map((object) => ({ subfolder: object.kind === 'ConfigMap' ? 'extra' : '', object }));

  const envs = new Map<string, ChartInput[]>([
    ['one', inputs(deployment('img:1', { nodeSelector: { role: 'kbs' }, tolerations: [{ key: 'x', operator: 'Exists' }] }), cm('echo "{{ not a template }}"\nexit 0\n'))],
    ['two', inputs(deployment('img:2', {}))],
  ]);
  const chart = buildChart({ name: 'demo', description: 'test chart', environments: envs });

  it('keeps equal parts literal and lifts the rest', () => {
    const template = chart.files['templates/deployment-app.yaml'];
    expect(template).toContain('replicas: 1');
    // Strings equal to the environment name come from .Values.environment, not from per-object values.
    expect(template).toContain('app.kubernetes.io/instance: {{ .Values.environment | quote }}');
    expect(template).toContain('{{ index $v "spec.template.spec.containers.0.image" | toJson }}');
    expect(template).toContain('{{- if hasKey $v "spec.template.spec.nodeSelector" }}');
    expect(chart.files['templates/extra/configmap-cfg.yaml']).toMatch(/^\{\{- if hasKey \.Values\.objects "extra\/configmap-cfg" \}\}/);
    // Nulls delete what values.yaml (environment one) sets and environment two lacks.
    expect(parse(chart.files['ci/two-values.yaml'])).toEqual({
      environment: 'two',
      objects: {
        'deployment-app': { 'spec.template.spec.containers.0.image': 'img:2', 'spec.template.spec.nodeSelector': null, 'spec.template.spec.tolerations': null },
        'extra/configmap-cfg': null,
      },
    });
  });

  it.each(['one', 'two'])('helm renders environment %s exactly', (env) => {
    const dir = writeChart(chart.files);
    expect(run('helm', ['lint', '--strict', dir, '-f', join(dir, 'ci', `${env}-values.yaml`)]).code).toBe(0);
    const expected = (envs.get(env) ?? []).map((i) => i.object).sort(byId);
    expect(helmTemplate(dir, join(dir, 'ci', `${env}-values.yaml`))).toEqual(expected);
  });

  it('values.schema.json rejects unknown values (helm validates against it)', () => {
    const dir = writeChart(chart.files);
    writeFileSync(join(dir, 'bad.yaml'), 'objects:\n  deployment-app:\n    spec.replicas: 3\n');
    const r = run('helm', ['template', 'x', dir, '-f', join(dir, 'bad.yaml')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.replicas');
  });
});
