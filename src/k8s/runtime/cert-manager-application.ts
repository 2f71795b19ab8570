import { Construct } from 'constructs';
import type { GitOpsConfig } from '../../config/schema';
import { CERT_MANAGER_CHART } from '../../shared/peer-pods';
import { VERSIONS } from '../../shared/versions';
import { chartImageIfNotPresent, type ChartImageSlotSpec } from '../../images/chart-image-values';
import { HelmChartApplication, type ChartProjectNeeds } from './helm-chart-application';

/** Namespace of cert-manager: the chart's documented one (the runtime component renders it). */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** The five images cert-manager v1.21 renders or names, by values key (all from the chart's appVersion otherwise). */
const CERT_MANAGER_COMPONENTS = {
  image: 'cert-manager-controller',
  webhook: 'cert-manager-webhook',
  cainjector: 'cert-manager-cainjector',
  // Not a pod of the release: the controller starts HTTP-01 solver pods with it (--acme-http01-solver-image).
  acmesolver: 'cert-manager-acmesolver',
  startupapicheck: 'cert-manager-startupapicheck',
} as const;

/** Where each image sits in this Application's values (src/images/image-slots.ts pins them). */
export const CERT_MANAGER_IMAGE_VALUES: readonly ChartImageSlotSpec[] = Object.keys(CERT_MANAGER_COMPONENTS).map((key) => ({
  path: key === 'image' ? ['image'] : [key, 'image'],
  shape: 'repository-tag-digest' as const,
}));

/**
 * Cluster-scoped kinds cert-manager v1.21 renders with the values below (`crds.enabled`, RBAC,
 * its two webhook configurations; PodSecurityPolicy is off by default and gone from Kubernetes).
 */
export const CERT_MANAGER_PROJECT_NEEDS = {
  sourceRepos: [CERT_MANAGER_CHART],
  clusterResourceWhitelist: [
    { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  ],
} as const satisfies ChartProjectNeeds;

export interface CertManagerApplicationProps {
  /** Application name (`<env>-cert-manager`). */
  readonly name: string;
  /** AppProject of the environment (must grant CERT_MANAGER_PROJECT_NEEDS). */
  readonly project: string;
  readonly gitops: GitOpsConfig;
  /** Chart version (an OCI tag with its `v`). @default VERSIONS.certManagerChart */
  readonly version?: string;
  /** Release namespace, rendered by the runtime component. @default CERT_MANAGER_NAMESPACE */
  readonly namespace?: string;
  /** Before the peerpods Application, whose webhook needs cert-manager's CRDs and CA injector. */
  readonly syncWave: number;
  readonly labels: Record<string, string>;
}

/**
 * cert-manager, installed because the peerpods webhook gets its serving certificate from a
 * cert-manager Issuer and Certificate, and its CA bundle from cert-manager's CA injector (the
 * peerpods chart does not depend on cert-manager: it is a prerequisite).
 *
 * Values beyond the chart defaults, each for least privilege or for Argo CD:
 * - `crds.enabled: true`: the chart's templates render the CRDs, so Argo CD owns and upgrades them
 *   with the release; `crds.keep: true` keeps them (and so every Certificate) when the
 *   Application is deleted or pruned.
 * - `global.leaderElection.namespace: cert-manager`: the default is kube-system, which would put
 *   leader-election Roles there and make the project grant a namespace the bundle does not own.
 * - `global.rbac.aggregateClusterRoles: false`: by default the chart aggregates its edit and view
 *   roles into the cluster's `admin`, `edit` and `view` ClusterRoles, so every namespace editor
 *   could create Issuers and Certificates; here only Argo CD (the peerpods chart) needs to.
 * - every image set explicitly at the chart's version (review shows them, pin-images pins them).
 * The defaults already run restricted (non-root, read-only root file system, no capabilities,
 * RuntimeDefault seccomp), so its namespace enforces Pod Security `restricted`.
 * @see https://cert-manager.io/docs/installation/helm/
 * @see https://github.com/cert-manager/cert-manager/blob/v1.21.1/deploy/charts/cert-manager/values.yaml
 */
export class CertManagerApplication extends Construct {
  constructor(scope: Construct, id: string, props: CertManagerApplicationProps) {
    super(scope, id);
    const version = props.version ?? VERSIONS.certManagerChart;
    const namespace = props.namespace ?? CERT_MANAGER_NAMESPACE;
    const image = (name: string) => chartImageIfNotPresent('repository-tag-digest', `quay.io/jetstack/${name}:${version}`);
    const { image: controller, ...others } = CERT_MANAGER_COMPONENTS;
    new HelmChartApplication(this, 'Application', {
      name: props.name,
      project: props.project,
      gitops: props.gitops,
      repoURL: CERT_MANAGER_CHART,
      version,
      releaseName: 'cert-manager',
      namespace,
      syncWave: props.syncWave,
      labels: props.labels,
      values: {
        crds: { enabled: true, keep: true },
        global: { leaderElection: { namespace }, rbac: { aggregateClusterRoles: false } },
        image: image(controller),
        ...Object.fromEntries(Object.entries(others).map(([key, name]) => [key, { image: image(name) }])),
      },
    });
  }
}
