import type { ComponentBuilder } from '../component-builder';
import { standardLabels } from '../../shared/labels';
import { CocoChartApplication, COCO_CHART_PROJECT_NEEDS } from './coco-chart-application';
import { CERT_MANAGER_WAVE, COCO_INSTALL_WAVE, PEERPODS_WAVE } from '../../shared/components';
import { peerPodsModel } from '../../shared/peer-pods';
import { kubernetesMinor } from '../../shared/versions';
import { ComponentNamespace } from '../common/component-namespace';
import { KataRuntimeClass } from './kata-runtime-class';
import { KATA_RUNTIME_CLASSES } from './kata-runtime-classes';
import { CertManagerApplication, CERT_MANAGER_NAMESPACE, CERT_MANAGER_PROJECT_NEEDS } from './cert-manager-application';
import { PeerPodsApplication, PEERPODS_PROJECT_NEEDS } from './peerpods-application';
import { peerPodsDefaultInitdata } from './peer-pods-default-initdata';

/**
 * Builds the runtime component: one RuntimeClass per configured name and, unless the operator
 * installs Kata another way, the Argo CD Application of the Confidential Containers chart. On
 * aks-peer-pods also cert-manager and cloud-api-adaptor's peerpods chart (with the cert-manager
 * Namespace, which this component renders like every namespace an Application installs into).
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

  const model = peerPodsModel(env.config, env.name);
  if (model !== undefined && runtime.runtimeClasses.includes('kata-remote')) {
    // cert-manager's pods already run restricted (non-root, read-only root, no capabilities).
    new ComponentNamespace(chart, 'CertManagerNamespace', {
      name: CERT_MANAGER_NAMESPACE,
      environment: env.name,
      component: 'runtime',
      podSecurity: 'restricted',
      kubernetesVersion: kubernetesMinor(env.config.kubernetesVersion),
    });
    new CertManagerApplication(argocd, 'CertManager', {
      name: `${env.name}-cert-manager`,
      project: env.name,
      gitops,
      syncWave: CERT_MANAGER_WAVE,
      labels: standardLabels({ name: 'cert-manager', instance: env.name, component: 'argocd' }),
    });
    grant({ sourceRepos: CERT_MANAGER_PROJECT_NEEDS.sourceRepos, clusterKinds: CERT_MANAGER_PROJECT_NEEDS.clusterResourceWhitelist });
    // In the runtime namespace (Pod Security privileged: CAA uses the host network, NET_ADMIN,
    // SYS_ADMIN and host paths), after kata-deploy installed the remote shim.
    new PeerPodsApplication(argocd, 'PeerPods', {
      name: `${env.name}-peerpods`,
      project: env.name,
      gitops,
      model,
      ...(model.config.identityClientId !== undefined ? { identityClientId: model.config.identityClientId } : {}),
      defaultInitdata: peerPodsDefaultInitdata(env),
      syncWave: PEERPODS_WAVE,
      labels: standardLabels({ name: 'peerpods', instance: env.name, component: 'argocd' }),
    });
    grant({ sourceRepos: PEERPODS_PROJECT_NEEDS.sourceRepos, clusterKinds: PEERPODS_PROJECT_NEEDS.clusterResourceWhitelist });
  }
};
