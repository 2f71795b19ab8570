// The fleet (config/fleet.yaml -> dist/fleet/): one ApplicationSet per environment generating each
// cluster's root Application, and the restricted project of those roots (src/config/load-fleet.ts,
// src/k8s/argocd/argocd-fleet.ts).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { FLEET_SCHEMA_FILE, fleetSchemaJson, PATTERN_MESSAGE_KEYWORD } from '../src/config/schema-file';
import { loadAllEnvironments } from '../src/config/load-all';
import { loadFleet, type LoadedFleet } from '../src/config/load-fleet';
import { formatProblem, UserInputError } from '../src/config/errors';
import { buildFleet } from '../src/k8s/fleet';
import { validateSchemas } from '../src/render/schema-validator';
import type { K8sObject } from '../src/shared/k8s-object';
import { makeTempRepo, runSynth } from './support/repo';
import { ONE_LINE } from './support/render-repo';
import { SHIPPED_LIST } from './support/shipped';

const ROOT = join(__dirname, '..');

/** A temp repository whose config/fleet.yaml is `text`. */
function repoWithFleet(text: string): string {
  const dir = makeTempRepo();
  writeFileSync(join(dir, 'config/fleet.yaml'), text);
  return dir;
}

function fleetOf(dir: string): LoadedFleet {
  const fleet = loadFleet(dir, loadAllEnvironments(dir));
  if (!fleet) throw new Error('no fleet');
  return fleet;
}

function problemsOf(text: string): string[] {
  const dir = repoWithFleet(text);
  try {
    fleetOf(dir);
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

// Only the fields the tests read, typed loosely enough for a rendered ApplicationSet.
interface AppSet extends K8sObject {
  readonly spec: {
    readonly generators: { readonly list: { readonly elements: Record<string, string>[] } }[];
    readonly strategy?: { readonly type: string; readonly rollingSync: { readonly steps: { readonly matchExpressions: { readonly key: string; readonly values: string[] }[] }[] } };
    readonly template: {
      readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
      readonly spec: { readonly project: string; readonly source: Record<string, string>; readonly destination: Record<string, string> };
    };
  };
}

const byKind = (objects: readonly K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe('the shipped fleet', () => {
  const objects = buildFleet(fleetOf(ROOT));
  const [appSet] = byKind(objects, 'ApplicationSet') as AppSet[];

  it('renders one ApplicationSet with one list element per cluster, at the environment revision', () => {
    expect(byKind(objects, 'ApplicationSet')).toHaveLength(1);
    expect(appSet.metadata.name).toBe('fleet-coco-dev');
    expect(appSet.spec.generators[0].list.elements).toEqual([
      { cluster: 'coco-dev-canary', server: 'https://coco-dev-canary.example.internal:6443', targetRevision: 'main', wave: '0' },
      { cluster: 'coco-dev-westeurope', server: 'https://coco-dev-westeurope.example.internal:6443', targetRevision: 'main', wave: '1' },
    ]);
  });

  it("templates the environment's root: dist/<env>/argocd into each cluster's Argo CD namespace, in the fleet project", () => {
    const { metadata, spec } = appSet.spec.template;
    expect(metadata.name).toBe('{{.cluster}}-root');
    expect(spec.project).toBe('fleet');
    expect(spec.source).toMatchObject({ repoURL: 'https://github.com/example-org/coco-azure-gitops.git', path: 'dist/coco-dev/argocd', targetRevision: '{{.targetRevision}}' });
    expect(spec.destination).toEqual({ server: '{{.server}}', namespace: 'argocd' });
  });

  it('rolls out wave by wave with RollingSync on the wave label the template sets', () => {
    expect(appSet.spec.strategy?.type).toBe('RollingSync');
    const steps = appSet.spec.strategy?.rollingSync.steps ?? [];
    expect(steps.map((s) => s.matchExpressions[0].values)).toEqual([['0'], ['1']]);
    expect(appSet.spec.template.metadata.labels[steps[0].matchExpressions[0].key]).toBe('{{.wave}}');
  });

  it('restricts the roots to Applications and AppProjects on exactly the listed clusters, from the repository', () => {
    const [project] = byKind(objects, 'AppProject');
    expect(project.metadata.name).toBe('fleet');
    expect(project.spec).toMatchObject({
      sourceRepos: ['https://github.com/example-org/coco-azure-gitops.git'],
      destinations: [
        { server: 'https://coco-dev-canary.example.internal:6443', namespace: 'argocd' },
        { server: 'https://coco-dev-westeurope.example.internal:6443', namespace: 'argocd' },
      ],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    });
  });

  it('passes the Argo CD ApplicationSet CRD schema, which does check it', () => {
    expect(validateSchemas(objects)).toEqual([]);
    const typo = { ...appSet, spec: { ...appSet.spec, generator: [] } } as K8sObject;
    expect(validateSchemas([typo]).map((p) => p.message)).toContain('unknown field "generator"');
  });
});

describe('fleet clusters of several environments', () => {
  const fleet = fleetOf(
    repoWithFleet(`clusters:
  - { name: tdx-a, environment: azure-tdx, server: "https://tdx-a:6443", targetRevision: v0.2.0, wave: 0 }
  - { name: tdx-b, environment: azure-tdx, server: "https://tdx-b:6443" }
  - { name: dev-a, environment: coco-dev, server: "https://dev-a:6443" }
`),
  );
  const objects = buildFleet(fleet);

  it('renders one ApplicationSet per environment; a cluster revision overrides the environment one', () => {
    const sets = byKind(objects, 'ApplicationSet') as AppSet[];
    expect(sets.map((s) => s.metadata.name)).toEqual(['fleet-azure-tdx', 'fleet-coco-dev']);
    expect(sets[0].spec.generators[0].list.elements.map((e) => [e.cluster, e.targetRevision])).toEqual([['tdx-a', 'v0.2.0'], ['tdx-b', 'v0.1.0']]);
    // One wave only: no RollingSync, so the roots sync automatically at once.
    expect(sets[0].spec.strategy).toBeUndefined();
    expect(validateSchemas(objects)).toEqual([]);
  });
});

describe('bad fleet files', () => {
  const good = (extra: string) => `clusters:\n  - { name: a, environment: coco-dev, server: "https://a:6443" }\n${extra}`;

  it('refuses a tracking branch for a production cluster, unknown environments, duplicates and bad URLs, one line each', () => {
    const problems = problemsOf(
      good(`  - { name: b, environment: azure-tdx, server: "https://b:6443", targetRevision: main }
  - { name: a, environment: nope, server: "https://a:6443" }
`),
    );
    expect(problems).toEqual([
      'config/fleet.yaml:3:66: /clusters/1/targetRevision: expected a release tag such as v0.1.0 or a 40-hex commit SHA (environment azure-tdx is profile production, which refuses tracking branches; see docs/argocd.md), found string "main"',
      'config/fleet.yaml:4:7: /clusters/2/name: expected a cluster name not already used by /clusters/0/name, found string "a"',
      'config/fleet.yaml:4:35: /clusters/2/server: expected an API server not already used by /clusters/0/server (one cluster per server), found string "https://a:6443"',
      `config/fleet.yaml:4:16: /clusters/2/environment: expected an environment of config/environments/ (${SHIPPED_LIST}), found string "nope"`,
    ]);
  });

  it('checks the schema with the location of each problem', () => {
    const problems = problemsOf('clusters:\n  - name: a\n    environment: coco-dev\n    server: http://a\n    wave: -1\n    replicas: 2\n');
    expect(problems).toEqual([
      'config/fleet.yaml:6:5: /clusters/0/replicas: expected one of the keys name, environment, server, targetRevision, wave, found unknown key "replicas"',
      'config/fleet.yaml:4:5: /clusters/0/server: expected an https:// API server URL, found string "http://a"',
      'config/fleet.yaml:5:5: /clusters/0/wave: expected a number >= 0, found number -1',
    ]);
    expect(problemsOf('clusters: []\n')).toEqual(['config/fleet.yaml:1:1: /clusters: expected a list of at least 1 item, found a list (0 items)']);
  });

  it('the CLI prints one error line per problem, exits 2 and writes nothing', () => {
    const dir = repoWithFleet(good('  - { name: b, environment: nope, server: "https://b:6443" }\n'));
    const r = runSynth(dir, []);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(ONE_LINE);
    expect(lines[0]).toContain('config/fleet.yaml:3:16: /clusters/1/environment:');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('config/fleet.schema.json for editors', () => {
  const ajv = new Ajv({ allErrors: true, useDefaults: false, coerceTypes: false });
  ajv.addVocabulary([PATTERN_MESSAGE_KEYWORD]);
  const validate = ajv.compile(JSON.parse(fleetSchemaJson()) as object);

  it('is what the shipped fleet file names and accepts it, without the defaulted keys', () => {
    const text = readFileSync(join(ROOT, 'config/fleet.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${FLEET_SCHEMA_FILE.replace('config/', '')}`);
    expect(validate(parse(text)) ? [] : validate.errors).toEqual([]);
    expect(validate({ clusters: [{ name: 'a', environment: 'coco-dev', server: 'https://a' }] })).toBe(true);
  });

  it('refuses what the loader refuses by schema', () => {
    expect(validate({ clusters: [{ name: 'a', environment: 'coco-dev', server: 'http://a', replicas: 2 }] })).toBe(false);
    expect((validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/clusters/0 additionalProperties', '/clusters/0/server pattern']);
  });
});

describe('without config/fleet.yaml', () => {
  it('renders no dist/fleet/, and a render after removing the file removes it', () => {
    const dir = makeTempRepo();
    const first = runSynth(dir, []);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^rendered ${SHIPPED_LIST} and the fleet of 2 clusters: `));
    expect(existsSync(join(dir, 'dist/fleet/applicationset-fleet-coco-dev.yaml'))).toBe(true);
    rmSync(join(dir, 'config/fleet.yaml'));
    expect(loadFleet(dir, loadAllEnvironments(dir))).toBeUndefined();
    const r = runSynth(dir, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^rendered ${SHIPPED_LIST}: `));
    expect(existsSync(join(dir, 'dist/fleet'))).toBe(false);
    expect(existsSync(join(dir, 'dist/coco-dev/bootstrap'))).toBe(true);
  });
});
