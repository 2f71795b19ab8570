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
import type { ComponentBuilder } from './component-builder';
import { buildKbs } from './kbs';
import { buildGuestComponents } from './guest-components';
import { buildRuntime } from './runtime';
import { buildWorkloads } from './workloads';

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

export function buildManifests(env: LoadedEnvironment): RenderedFolder[] {
  const { config, name } = env;
  const app = new App();
  const folders: RenderedFolder[] = [];
  const enabled = COMPONENTS.filter((c) => config[c.section].enabled);
  for (const component of enabled) {
    const chart = new Chart(app, component.folder, { disableResourceNameHashes: true });
    new ComponentNamespace(chart, 'Namespace', {
      name: config[component.section].namespace,
      environment: name,
      component: component.folder,
      podSecurity: component.podSecurity,
      kubernetesVersion: kubernetesMinor(config.kubernetesVersion),
    });
    BUILDERS[component.section](chart, env);
    folders.push({ folder: component.folder, objects: chart.toJson() as K8sObject[] });
  }

  const argo = new Chart(app, ARGOCD_FOLDER, { disableResourceNameHashes: true });
  new ArgoBundle(argo, 'Bundle', {
    environment: name,
    gitops: config.gitops,
    distPath: DIST_PATH,
    components: enabled.map((c) => ({ folder: c.folder, namespace: config[c.section].namespace, wave: c.wave })),
    clusterKinds: clusterScopedKinds(folders.flatMap((f) => f.objects)),
  });
  folders.push({ folder: ARGOCD_FOLDER, objects: argo.toJson() as K8sObject[] });

  const bootstrap = new Chart(app, BOOTSTRAP_FOLDER, { disableResourceNameHashes: true });
  new ArgoRoot(bootstrap, 'Root', { environment: name, gitops: config.gitops, distPath: DIST_PATH });
  folders.push({ folder: BOOTSTRAP_FOLDER, objects: bootstrap.toJson() as K8sObject[] });
  return folders;
}

/** Group/kind of every object rendered without a namespace, sorted: the AppProject's cluster whitelist. */
function clusterScopedKinds(objects: readonly K8sObject[]): GroupKind[] {
  const kinds = new Map<string, GroupKind>();
  for (const o of objects) {
    if (o.metadata.namespace !== undefined) continue;
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    kinds.set(`${group}/${o.kind}`, { group, kind: o.kind });
  }
  return [...kinds.keys()].sort().map((k) => kinds.get(k) as GroupKind);
}
