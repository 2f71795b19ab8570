import { Construct } from 'constructs';
import type { GitOpsConfig } from '../../config/schema';
import { PEERPODS_CHART, type PeerPodsModel } from '../../shared/peer-pods';
import { VERSIONS } from '../../shared/versions';
import { chartImage, chartImageIfNotPresent, type ChartImageSlotSpec } from '../../images/chart-image-values';
import { HelmChartApplication, type ChartProjectNeeds } from './helm-chart-application';

/** Helm release name of the peerpods chart (the name upstream's docs install it under). */
export const PEERPODS_RELEASE = 'peerpods';

/** Label the AKS workload identity webhook selects pods by; it then injects AZURE_CLIENT_ID, AZURE_TENANT_ID and the token file. */
export const WORKLOAD_IDENTITY_USE_LABEL = 'azure.workload.identity/use';
/** ServiceAccount annotation naming the managed identity the webhook injects as AZURE_CLIENT_ID. */
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';

/**
 * Images the chart renders with the values below, where they sit and how each (sub-)chart spells
 * them (src/images/image-slots.ts pins them by digest). kata-deploy's images are not here: its
 * sub-chart is switched off (the CoCo chart Application owns kata-deploy and pins its images).
 */
export const PEERPODS_IMAGE_VALUES: readonly ChartImageSlotSpec[] = [
  { path: ['image'], shape: 'name-tag' },
  { path: ['webhook', 'image'], shape: 'repository-tag' },
  { path: ['resourceCtrl', 'image'], shape: 'repository-tag' },
  { path: ['resourceCtrl', 'authProxy', 'image'], shape: 'reference' },
];

/**
 * Cluster-scoped kinds peerpods 0.4.0 renders with the values below: the PeerPod CRD (peerpod-ctrl's
 * crds/), ClusterRoles and bindings (CAA's pod-viewer, peerpod-editor, node-viewer,
 * node-status-patcher, cm-editor; peerpod-ctrl's and the webhook's manager, proxy and metrics
 * roles) and the webhook's MutatingWebhookConfiguration. No Namespace (namespaceOverride is
 * empty) and no RuntimeClass (kata-deploy is off).
 */
export const PEERPODS_PROJECT_NEEDS = {
  sourceRepos: [PEERPODS_CHART],
  clusterResourceWhitelist: [
    { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  ],
} as const satisfies ChartProjectNeeds;

export interface PeerPodsApplicationProps {
  /** Application name (`<env>-peerpods`). */
  readonly name: string;
  /** AppProject of the environment (must grant PEERPODS_PROJECT_NEEDS). */
  readonly project: string;
  readonly gitops: GitOpsConfig;
  /** The environment's peer-pods model: every Azure value comes from it, as Terraform names them. */
  readonly model: PeerPodsModel;
  /** Chart version. @default VERSIONS.peerpodsChart */
  readonly version?: string;
  /**
   * Client ID of the cloud-api-adaptor managed identity (infrastructure.peerPods.identityClientId),
   * put on both ServiceAccounts for the workload identity webhook. Known only after terraform
   * apply. @default none: no annotation, and CAA's entrypoint stops for want of AZURE_CLIENT_ID
   */
  readonly identityClientId?: string;
  /**
   * INITDATA: the initdata of kata-remote pods that carry none, as CAA parses it (base64 of the
   * gzipped TOML, pkg/initdata Parse at v0.22.0, checked at startup).
   */
  readonly defaultInitdata: string;
  /** After cert-manager and the CoCo chart (kata-deploy with the remote shim), before the workloads. */
  readonly syncWave: number;
  readonly labels: Record<string, string>;
}

/**
 * cloud-api-adaptor's peerpods chart: the CAA DaemonSet that creates one Azure confidential VM per
 * kata-remote pod, peerpod-ctrl (removes VMs left behind) and the peer-pods webhook (adds the
 * `kata.peerpods.io/vm` resource to kata-remote pods so the scheduler counts pod VMs per node).
 *
 * Decisions in the values, each against a chart default:
 * - **No secret.** `secrets.mode: reference` with an empty `existingSecretName`: the chart then
 *   renders no Secret and no `secretRef` (templates/secrets.yaml renders only in `create` mode,
 *   and `create` always renders peer-pods-secret, with a client secret if one is given).
 *   peerpod-ctrl's `envFrom` names peer-pods-secret `optional: true`, so it starts without one.
 *   CAA's Azure client uses workload identity when AZURE_CLIENT_SECRET is empty (client.go);
 *   the AKS workload identity webhook injects AZURE_CLIENT_ID (from the ServiceAccount's
 *   client-id annotation), AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE into pods labelled
 *   `azure.workload.identity/use: "true"`, which satisfies entrypoint.sh's `test_vars`.
 * - **One owner each.** `kata-deploy.enabled: false`: the CoCo chart Application installs
 *   kata-deploy with the remote shim, and this bundle's runtime component renders RuntimeClass
 *   kata-remote (kata-deploy's sub-chart here would render both a second time).
 * - **The webhook cannot block the cluster.** `failurePolicy: Ignore`: it only does resource
 *   accounting for kata-remote pods, but its MutatingWebhookConfiguration matches every pod
 *   CREATE outside its namespace and kube-system; with the default `Fail`, a webhook outage
 *   (both replicas down, a certificate not yet issued) would block every pod in the cluster,
 *   Argo CD's own included, and so the sync that could repair it. A kata-remote pod admitted
 *   unmutated only lacks the per-node VM limit.
 * - **One namespace.** `webhook.namespaceOverride: ""`: the webhook lives in the release namespace
 *   (the runtime component's, Pod Security `privileged` for CAA's host network, NET_ADMIN/SYS_ADMIN
 *   and host paths) instead of a `peer-pods-webhook-system` Namespace the chart would create.
 * - Every image set explicitly at the chart's defaults (review shows them, pin-images pins them).
 * @see https://github.com/confidential-containers/cloud-api-adaptor/tree/v0.22.0/src/cloud-api-adaptor/install/charts/peerpods
 */
export class PeerPodsApplication extends Construct {
  constructor(scope: Construct, id: string, props: PeerPodsApplicationProps) {
    super(scope, id);
    const { model } = props;
    const podLabels = { [WORKLOAD_IDENTITY_USE_LABEL]: 'true' };
    const serviceAccount = { annotations: props.identityClientId !== undefined ? { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: props.identityClientId } : {} };
    new HelmChartApplication(this, 'Application', {
      name: props.name,
      project: props.project,
      gitops: props.gitops,
      repoURL: PEERPODS_CHART,
      version: props.version ?? VERSIONS.peerpodsChart,
      releaseName: PEERPODS_RELEASE,
      namespace: model.namespace,
      syncWave: props.syncWave,
      labels: props.labels,
      values: {
        provider: 'azure',
        image: chartImage('name-tag', VERSIONS.cloudApiAdaptorImage),
        secrets: { mode: 'reference', existingSecretName: '' },
        // Rendered into ConfigMap peer-pods-cm (every value a string), read by CAA as environment.
        providerConfigs: {
          azure: {
            AZURE_IMAGE_ID: model.config.podVm.imageId,
            AZURE_INSTANCE_SIZE: model.instanceSizes[0],
            AZURE_INSTANCE_SIZES: model.instanceSizes.join(','),
            AZURE_REGION: model.location,
            AZURE_RESOURCE_GROUP: model.resourceGroup,
            AZURE_SUBNET_ID: model.podVmSubnetId,
            AZURE_SUBSCRIPTION_ID: model.subscriptionId,
            // Confidential VMs (SecurityType ConfidentialVM, vTPM): stated, not left to the default.
            DISABLECVM: 'false',
            INITDATA: props.defaultInitdata,
            PEERPODS_LIMIT_PER_NODE: String(model.config.podVm.limitPerNode),
          },
        },
        daemonset: { podLabels, serviceAccount },
        resourceCtrl: {
          enabled: true,
          image: chartImageIfNotPresent('repository-tag', VERSIONS.peerpodCtrlImage),
          authProxy: { enabled: true, image: VERSIONS.kubeRbacProxyImage },
          podLabels,
          serviceAccount,
        },
        webhook: {
          enabled: true,
          namespaceOverride: '',
          image: chartImageIfNotPresent('repository-tag', VERSIONS.peerPodsWebhookImage),
          webhook: { failurePolicy: 'Ignore' },
          certManager: { enabled: true },
        },
        'kata-deploy': { enabled: false },
      },
    });
  }
}
