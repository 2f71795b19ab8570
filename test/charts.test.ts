// Helm charts equal the plain manifests: the real Helm 4 and Helm 3 lint every chart and render
// every ci/<env>-values.yaml into exactly the objects of dist/<env>/<component>/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { buildChart, type ChartInput } from '../src/render/helm-chart';
import { listFiles } from '../src/render/files';
import type { K8sObject } from '../src/shared/k8s-object';
import { runSynth } from './support/repo';
import { renderedRepo } from './support/render-repo';
import { runAsync } from './support/tools';

/** Helm 4 (`helm`) and Helm 3 (`helm3`): the charts must work with both. */
const HELMS = ['helm', 'helm3'] as const;
type Helm = (typeof HELMS)[number];

async function helmTemplate(helm: Helm, chartDir: string, valuesFile: string): Promise<K8sObject[]> {
  const r = await runAsync(helm, ['template', 'release', chartDir, '-f', valuesFile]);
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

/** One ci/<env>-values.yaml of a rendered chart. */
interface CiValues {
  readonly chart: string;
  readonly env: string;
  readonly chartDir: string;
  readonly valuesFile: string;
}

function ciValues(repo: string): CiValues[] {
  return readdirSync(join(repo, 'charts')).flatMap((chart) =>
    readdirSync(join(repo, 'charts', chart, 'ci')).map((values) => ({
      chart,
      env: values.replace(/-values\.yaml$/, ''),
      chartDir: join(repo, 'charts', chart),
      valuesFile: join(repo, 'charts', chart, 'ci', values),
    })),
  );
}

describe('rendered charts', () => {
  let repo = '';
  let cases: CiValues[] = [];
  beforeAll(() => {
    repo = renderedRepo();
    cases = ciValues(repo);
  });

  it('one chart per rendered component', () => {
    expect(readdirSync(join(repo, 'charts')).sort()).toEqual(['guest-components', 'kbs', 'runtime', 'workloads']);
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  // Each helm run costs mostly helm's start-up: all of them start at once.
  describe.each(HELMS)('%s', (helm) => {
    it('every chart passes helm lint --strict with each of its ci values files', async () => {
      const results = await Promise.all(cases.map((c) => runAsync(helm, ['lint', '--strict', c.chartDir, '-f', c.valuesFile])));
      results.forEach((r, i) => {
        expect(`${cases[i].chart}/${cases[i].env}: ${r.stdout}${r.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
        expect(r.code).toBe(0);
      });
    });

    it('helm template with ci/<env>-values.yaml equals dist/<env>/<component>/', async () => {
      const rendered = await Promise.all(cases.map((c) => helmTemplate(helm, c.chartDir, c.valuesFile)));
      cases.forEach(({ chart, env }, i) => {
        const expected = distObjects(join(repo, 'dist', env, chart));
        expect(expected.length).toBeGreaterThan(0);
        expect({ chart, env, objects: rendered[i] }).toEqual({ chart, env, objects: expected });
      });
    });
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

  describe.each(HELMS)('%s', (helm) => {
    it.each(['one', 'two'])('renders environment %s exactly', async (env) => {
      const dir = writeChart(chart.files);
      const values = join(dir, 'ci', `${env}-values.yaml`);
      const [lint, objects] = await Promise.all([runAsync(helm, ['lint', '--strict', dir, '-f', values]), helmTemplate(helm, dir, values)]);
      expect(lint.code).toBe(0);
      expect(objects).toEqual((envs.get(env) ?? []).map((i) => i.object).sort(byId));
    });

    it('values.schema.json rejects unknown values (helm validates against it)', async () => {
      const dir = writeChart(chart.files);
      writeFileSync(join(dir, 'bad.yaml'), 'objects:\n  deployment-app:\n    spec.replicas: 3\n');
      const r = await runAsync(helm, ['template', 'x', dir, '-f', join(dir, 'bad.yaml')]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('spec.replicas');
    });
  });
});
