import { Construct } from 'constructs';
import type { GitOpsConfig } from '../../config/schema';
import { chartImageValue } from '../../shared/image-ref';
import { VERSIONS } from '../../shared/versions';
import { HelmChartApplication, type ChartProjectNeeds } from './helm-chart-application';

/** OCI repository of the Confidential Containers Helm chart. */
export const COCO_CHART_REPO = 'oci://ghcr.io/confidential-containers/charts/confidential-containers';

/** Values key of kata-deploy inside the CoCo chart (the dependency alias in its Chart.yaml). */
export const KATA_DEPLOY_ALIAS = 'kata-as-coco-runtime';

/**
 * Paths in this Application's Helm values of the images the bundle sets (kata-deploy's
 * `{reference, tag}` pairs), so that src/images/image-slots.ts pins them by digest like every
 * other rendered image. kata-deploy 4.0.0 also has `job.dispatcherImage` (deploymentMode: job
 * only) and `monitor.image` (monitor.enabled: false); both default to the chart appVersion and
 * neither is rendered with our values.
 */
export const COCO_CHART_IMAGE_VALUES: readonly (readonly string[])[] = [
  [KATA_DEPLOY_ALIAS, 'image'],
  [KATA_DEPLOY_ALIAS, 'kubectlImage'],
];

/**
 * What the environment's AppProject must additionally allow for this Application's chart to sync:
 * the chart repository as a source, and the cluster-scoped kinds kata-deploy 4.0.0 renders besides
 * the RuntimeClasses we switch off (`helm template` of its chart with our values: ServiceAccount x2,
 * ClusterRole x2, ClusterRoleBinding x2, DaemonSet, post-delete cleanup Job).
 */
export const COCO_CHART_PROJECT_NEEDS = {
  sourceRepos: [COCO_CHART_REPO],
  clusterResourceWhitelist: [
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  ],
} as const satisfies ChartProjectNeeds;

export interface CocoChartApplicationProps {
  /** Application name, unique in the Argo CD namespace (`<env>-coco-runtime`). */
  readonly name: string;
  /** AppProject of the environment; it must list COCO_CHART_REPO in sourceRepos. */
  readonly project: string;
  readonly gitops: GitOpsConfig;
  /** Chart version (an OCI tag). */
  readonly version: string;
  /** Helm release name. @default coco (from the environment file) */
  readonly releaseName: string;
  /** Namespace kata-deploy runs in (the runtime component namespace). */
  readonly namespace: string;
  /** kata-deploy shim keys to install (`qemu-coco-dev`, `qemu-tdx`, ...); every other shim is disabled. */
  readonly shims: readonly string[];
  /** `argocd.argoproj.io/sync-wave` among the environment's Applications: after the runtime component. */
  readonly syncWave: number;
  readonly labels: Record<string, string>;
}

/**
 * Argo CD Application installing Kata through the Confidential Containers Helm chart, with kata-deploy's
 * own RuntimeClasses switched off (`runtimeClasses.enabled: false` in kata-deploy 4.0.0): this bundle
 * renders them, so every RuntimeClass has exactly one owner. Argo CD >= 3.1 pulls the chart as a
 * native OCI source (`repoURL: oci://...`, `path: .`), so no Helm repository secret is needed.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/oci/
 * @see https://github.com/kata-containers/kata-containers/blob/4.0.0/tools/packaging/kata-deploy/helm-chart/kata-deploy/values.yaml
 */
export class CocoChartApplication extends Construct {
  constructor(scope: Construct, id: string, props: CocoChartApplicationProps) {
    super(scope, id);
    const shims: Record<string, unknown> = { disableAll: true };
    for (const shim of props.shims) shims[shim] = { enabled: true };
    new HelmChartApplication(this, 'Application', {
      name: props.name,
      project: props.project,
      gitops: props.gitops,
      repoURL: COCO_CHART_REPO,
      version: props.version,
      releaseName: props.releaseName,
      namespace: props.namespace,
      syncWave: props.syncWave,
      labels: props.labels,
      values: {
        [KATA_DEPLOY_ALIAS]: {
          runtimeClasses: { enabled: false },
          shims,
          // The first requested shim also answers the generic `kata` handler.
          defaultShim: { amd64: props.shims[0] },
          // Both set here, not left to the chart: the installer's tag would follow the chart's
          // appVersion, and kubectlImage (post-delete cleanup Job) defaults to `latest`.
          image: chartImageValue(VERSIONS.kataDeployImage),
          kubectlImage: chartImageValue(VERSIONS.kataKubectlImage),
          imagePullPolicy: 'IfNotPresent',
        },
      },
    });
  }
}
