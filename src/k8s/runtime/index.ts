import type { ComponentBuilder } from '../component-builder';
import { standardLabels } from '../../shared/labels';
import { CocoChartApplication, COCO_CHART_PROJECT_NEEDS } from './coco-chart-application';
import { COCO_INSTALL_WAVE } from '../../shared/components';
import { KataRuntimeClass } from './kata-runtime-class';
import { KATA_RUNTIME_CLASSES } from './kata-runtime-classes';

/**
 * Builds the runtime component: one RuntimeClass per configured name and, unless the operator
 * installs Kata another way, the Argo CD Application of the Confidential Containers chart.
 */
export const buildRuntime: ComponentBuilder = ({ chart, argocd, grant }, env) => {
  const { runtime, gitops } = env.config;
  for (const name of runtime.runtimeClasses) {
    new KataRuntimeClass(chart, `RuntimeClass-${name}`, { name, environment: env.name });
  }
  if (runtime.cocoChart.install && runtime.runtimeClasses.length > 0) {
    // The Application lives with the other Applications (synced by the root), after the runtime
    // component that renders its namespace and RuntimeClasses, before the workloads.
    new CocoChartApplication(argocd, 'CocoChart', {
      name: `${env.name}-coco-runtime`,
      project: env.name,
      gitops,
      version: runtime.cocoChart.version,
      releaseName: runtime.cocoChart.releaseName,
      namespace: runtime.namespace,
      shims: runtime.runtimeClasses.map((name) => KATA_RUNTIME_CLASSES[name].shim),
      syncWave: COCO_INSTALL_WAVE,
      labels: standardLabels({ name: 'coco-runtime', instance: env.name, component: 'argocd' }),
    });
    grant({ sourceRepos: COCO_CHART_PROJECT_NEEDS.sourceRepos, clusterKinds: COCO_CHART_PROJECT_NEEDS.clusterResourceWhitelist });
  }
};
