/**
 * Builds every Kubernetes object of one environment, grouped by the folder it is written to.
 * Pure: config in, objects out; writing and validation happen in src/render.
 */
import { App, Chart } from 'cdk8s';
import type { LoadedEnvironment } from '../config/load';
import type { K8sObject } from '../shared/k8s-object';
import { ARGOCD_FOLDER, BOOTSTRAP_FOLDER, COMPONENTS } from '../shared/components';
import { kubernetesMinor } from '../shared/versions';
import { ComponentNamespace } from './common/component-namespace';
import { ArgoBundle } from './argocd/argocd-bundle';
import { ArgoRoot } from './argocd/argocd-root';
import type { GroupKind } from './argocd/argocd-project';
import type { ComponentName } from '../config/schema';
import type { ComponentBuilder, ProjectGrant } from './component-builder';
import { buildKbs } from './kbs';
import { buildGuestComponents } from './guest-components';
import { buildRuntime } from './runtime';
import { buildWorkloads } from './workloads';
import { EMPTY_IMAGE_LOCK, type ImageLock } from '../shared/image-ref';
import { pinImages } from '../images/image-slots';

const BUILDERS: Record<ComponentName, ComponentBuilder> = {
  kbs: buildKbs,
  guestComponents: buildGuestComponents,
  runtime: buildRuntime,
  workloads: buildWorkloads,
};

/** Objects of one folder under `dist/<env>/`. */
export interface RenderedFolder {
  readonly folder: string;
  readonly objects: readonly K8sObject[];
}

/** Folder of `dist/` inside the repository, as Argo CD sees it. */
export const DIST_PATH = 'dist';

/**
 * Every object of `env`, by folder. Images are pinned by `lock` last, in one pass over everything
 * rendered (containers and upstream chart values), so no builder can render an unpinned copy.
 * @param lock digests of config/images.lock.yaml (the caller reads it: building reads no files). @default none
 */
export function buildManifests(env: LoadedEnvironment, lock: ImageLock = EMPTY_IMAGE_LOCK): RenderedFolder[] {
  const { config, name } = env;
  const app = new App();
  const folders: RenderedFolder[] = [];
  const enabled = COMPONENTS.filter((c) => config[c.section].enabled);
  const argo = new Chart(app, ARGOCD_FOLDER, { disableResourceNameHashes: true });
  const grants: ProjectGrant[] = [];
  for (const component of enabled) {
    const chart = new Chart(app, component.folder, { disableResourceNameHashes: true });
    new ComponentNamespace(chart, 'Namespace', {
      name: config[component.section].namespace,
      environment: name,
      component: component.folder,
      podSecurity: component.podSecurity,
      kubernetesVersion: kubernetesMinor(config.kubernetesVersion),
    });
    const subcharts = new Map<string, Chart>();
    const subfolder = (sub: string): Chart => {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(sub)) throw new Error(`subfolder name ${JSON.stringify(sub)} of ${component.folder} must be a DNS label`);
      const existing = subcharts.get(sub);
      if (existing) return existing;
      const created = new Chart(app, `${component.folder}-${sub}`, { disableResourceNameHashes: true });
      subcharts.set(sub, created);
      return created;
    };
    BUILDERS[component.section]({ chart, subfolder, argocd: argo, grant: (g) => grants.push(g) }, env);
    folders.push({ folder: component.folder, objects: chart.toJson() as K8sObject[] });
    for (const sub of [...subcharts.keys()].sort()) {
      folders.push({ folder: `${component.folder}/${sub}`, objects: (subcharts.get(sub) as Chart).toJson() as K8sObject[] });
    }
  }

  new ArgoBundle(argo, 'Bundle', {
    environment: name,
    gitops: config.gitops,
    distPath: DIST_PATH,
    components: enabled.map((c) => ({
      folder: c.folder,
      namespace: config[c.section].namespace,
      wave: c.wave,
      namespaces: namespacesOf(folders.filter((f) => f.folder === c.folder || f.folder.startsWith(`${c.folder}/`)).flatMap((f) => f.objects)),
    })),
    clusterKinds: sortedKinds([...clusterScopedKinds(folders.flatMap((f) => f.objects)), ...grants.flatMap((g) => g.clusterKinds ?? [])]),
    extraSourceRepos: [...new Set(grants.flatMap((g) => g.sourceRepos ?? []))].sort(),
    extraNamespaces: [...new Set(grants.flatMap((g) => g.namespaces ?? []))].sort(),
  });
  folders.push({ folder: ARGOCD_FOLDER, objects: argo.toJson() as K8sObject[] });

  const bootstrap = new Chart(app, BOOTSTRAP_FOLDER, { disableResourceNameHashes: true });
  new ArgoRoot(bootstrap, 'Root', { environment: name, gitops: config.gitops, distPath: DIST_PATH });
  folders.push({ folder: BOOTSTRAP_FOLDER, objects: bootstrap.toJson() as K8sObject[] });
  for (const f of folders) pinImages(f.objects, lock);
  return folders;
}

/** Namespaces a component's objects live in (sorted): its Application may deploy to these only. */
function namespacesOf(objects: readonly K8sObject[]): string[] {
  const names = objects.flatMap((o) => (o.kind === 'Namespace' && o.apiVersion === 'v1' ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : []));
  return [...new Set(names)].sort();
}

/** Group/kind of every object rendered without a namespace: the AppProject's cluster whitelist. */
function clusterScopedKinds(objects: readonly K8sObject[]): GroupKind[] {
  return objects.filter((o) => o.metadata.namespace === undefined).map((o) => ({ group: o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', kind: o.kind }));
}

/** Distinct group/kinds sorted by `group/kind`. */
function sortedKinds(kinds: readonly GroupKind[]): GroupKind[] {
  const byKey = new Map(kinds.map((k) => [`${k.group}/${k.kind}`, k]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as GroupKind);
}
