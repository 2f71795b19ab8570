// The Argo CD objects point at folders that exist, in wave order, within a least-privilege project.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { K8sObject } from '../src/shared/k8s-object';
import { listFiles } from '../src/render/files';
import { makeTempRepo, runSynth } from './support/repo';
import { COCO_CHART_PROJECT_NEEDS, COCO_CHART_REPO } from '../src/k8s/runtime/coco-chart-application';
import { CERT_MANAGER_PROJECT_NEEDS } from '../src/k8s/runtime/cert-manager-application';
import { PEERPODS_PROJECT_NEEDS } from '../src/k8s/runtime/peerpods-application';
import type { ChartProjectNeeds } from '../src/k8s/runtime/helm-chart-application';

/** What each upstream chart Application needs from the project, by its chart repository. */
const CHART_NEEDS: readonly ChartProjectNeeds[] = [COCO_CHART_PROJECT_NEEDS, CERT_MANAGER_PROJECT_NEEDS, PEERPODS_PROJECT_NEEDS];

interface AppSpec {
  project: string;
  source?: { repoURL: string; path?: string; chart?: string; targetRevision: string };
  destination: { namespace: string; server: string };
  syncPolicy?: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions?: string[] };
}

const repo = makeTempRepo();
beforeAll(() => expect(runSynth(repo).code).toBe(0));

function objects(env: string, folder: string): K8sObject[] {
  const dir = join(repo, 'dist', env, folder);
  return listFiles(dir).map((f) => parse(readFileSync(join(dir, f), 'utf8')) as K8sObject);
}

// dist/fleet/ is the fleet's folder, not an environment (test/fleet.test.ts).
const envs = () => readdirSync(join(repo, 'dist')).filter((d) => d !== 'fleet').sort();
const REPO = 'https://github.com/example-org/coco-azure-gitops.git';

describe.each(['aks-cvm', 'azure-peer-pods', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev'])('Argo CD objects of %s', (env) => {
  const apps = () => objects(env, 'argocd').filter((o) => o.kind === 'Application');
  const spec = (o: K8sObject) => o.spec as AppSpec;

  it('every git path an Application references exists and holds manifests', () => {
    const all = [...apps(), ...objects(env, 'bootstrap').filter((o) => o.kind === 'Application')];
    const gitApps = all.filter((a) => spec(a).source?.repoURL === REPO);
    expect(gitApps.length).toBeGreaterThanOrEqual(2);
    for (const a of gitApps) {
      const path = spec(a).source?.path as string;
      expect(existsSync(join(repo, path))).toBe(true);
      expect(listFiles(join(repo, path)).some((f) => f.endsWith('.yaml'))).toBe(true);
    }
  });

  it('one child Application per rendered component folder, in the documented wave order', () => {
    const folders = componentFolders(env);
    const children = apps().filter((a) => spec(a).source?.path?.startsWith(`dist/${env}/`));
    expect(children.map((a) => spec(a).source?.path).sort()).toEqual(folders.map((f) => `dist/${env}/${f}`).sort());
    const order = ['kbs', 'guest-components', 'runtime', 'workloads'];
    const waves = children.map((a) => ({ folder: (spec(a).source?.path as string).split('/')[2], wave: Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave']) }));
    const sorted = [...waves].sort((a, b) => a.wave - b.wave).map((w) => w.folder);
    expect(sorted).toEqual(order.filter((f) => folders.includes(f)));
  });

  it('the project comes first and allows exactly the rendered namespaces and cluster kinds', () => {
    const [project] = objects(env, 'argocd').filter((o) => o.kind === 'AppProject');
    expect(Number(project.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeLessThan(Math.min(...apps().map((a) => Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave']))));
    const rendered = componentFolders(env).flatMap((f) => objects(env, f));
    const namespaces = new Set(rendered.flatMap((o) => (o.kind === 'Namespace' ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : [])));
    const p = project.spec as { destinations: { namespace: string }[]; clusterResourceWhitelist: { group: string; kind: string }[]; sourceRepos: string[] };
    expect(p.destinations.map((d) => d.namespace).sort()).toEqual([...namespaces].sort());
    const clusterKinds = new Set(rendered.filter((o) => !o.metadata.namespace).map((o) => o.kind));
    // Plus, only for the upstream charts installed through Argo CD, what each chart creates cluster-wide.
    const chartRepos = new Set(apps().flatMap((a) => (spec(a).source?.repoURL.startsWith('oci://') ? [spec(a).source?.repoURL as string] : [])));
    const needs = CHART_NEEDS.filter((n) => n.sourceRepos.some((r) => chartRepos.has(r)));
    expect(needs.flatMap((n) => n.sourceRepos).sort()).toEqual([...chartRepos].sort());
    const granted = needs.flatMap((n) => n.clusterResourceWhitelist.map((k) => k.kind));
    expect(new Set(p.clusterResourceWhitelist.map((k) => k.kind))).toEqual(new Set([...clusterKinds, ...granted]));
    expect(p.sourceRepos).toEqual([REPO, ...[...chartRepos].sort()]);
    expect(env !== 'azure-peer-pods' || chartRepos.has(COCO_CHART_REPO)).toBe(true);
    expect(p.sourceRepos.every((r) => !r.includes('*'))).toBe(true);
  });

  it('sync policy, namespace ownership and cascading delete', () => {
    for (const a of apps()) {
      expect(a.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      expect(spec(a).syncPolicy?.syncOptions).toContain('CreateNamespace=false');
      expect(spec(a).syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
      expect(spec(a).project).toBe(env);
    }
  });

  it('the bootstrap root only manages Argo CD objects in the Argo CD namespace', () => {
    const boot = objects(env, 'bootstrap');
    const root = boot.find((o) => o.kind === 'Application') as K8sObject;
    expect(spec(root).source?.path).toBe(`dist/${env}/argocd`);
    const project = boot.find((o) => o.kind === 'AppProject') as K8sObject;
    expect(project.spec).toMatchObject({ clusterResourceWhitelist: [], destinations: [{ namespace: 'argocd' }], namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }, { group: 'argoproj.io', kind: 'AppProject' }] });
  });
});


/** The component folders of dist/<env>/ (the files beside them, POSTURE.md and versions.json, are reports). */
function componentFolders(env: string): string[] {
  return readdirSync(join(repo, 'dist', env), { withFileTypes: true }).filter((d) => d.isDirectory() && !['argocd', 'bootstrap'].includes(d.name)).map((d) => d.name);
}

it('renders a posture report per environment', () => {
  for (const env of envs()) {
    const text = readFileSync(join(repo, 'dist', env, 'POSTURE.md'), 'utf8');
    expect(text).toContain(`# Security posture: ${env}`);
    expect(text).toContain('## Dev switches');
  }
  expect(readFileSync(join(repo, 'dist/coco-dev/POSTURE.md'), 'utf8')).toContain('**ON: allowSampleTeePolicy**');
  const tdx = readFileSync(join(repo, 'dist/azure-tdx/POSTURE.md'), 'utf8');
  expect(tdx).toContain('| containerd (nodes) | `2.3.4` | supported until 2028-04 (LTS) |');
  expect(tdx).toContain('| Kubernetes (kubeadm nodes) | `1.36.5` | supported until 2027-06-28 |');
  // Production environments render only supported versions: no warning, no accepted risk.
  for (const env of ['azure-tdx', 'aks-cvm', 'bare-metal']) {
    const text = readFileSync(join(repo, 'dist', env, 'POSTURE.md'), 'utf8');
    expect({ env, warnings: text.split('\n').filter((l) => /\*\*(needs|accepted risk)/.test(l) || l.startsWith('## Accepted risks')) }).toEqual({ env, warnings: [] });
  }
  const versions = JSON.parse(readFileSync(join(repo, 'dist/azure-tdx/versions.json'), 'utf8')) as { name: string; version: string }[];
  expect(versions.find((v) => v.name === 'Cilium')?.version).toBe('1.20.1');
});
