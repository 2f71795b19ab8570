/**
 * Stand-in for cloud-api-adaptor's peerpods chart 0.4.0 (CAA v0.22.0), which cannot be fetched
 * here (its OCI registry is out of reach, and the Go module proxy does not serve the
 * cloud-api-adaptor module). It makes what the bundle relies on and nothing else, with the
 * chart's names and placement:
 * - DaemonSet `cloud-api-adaptor-daemonset` (host network, the chart's fixed nodeSelector
 *   `node.kubernetes.io/worker: ""`, no tolerations) with its ServiceAccount and `peer-pods-cm`;
 * - Deployment `peerpodctrl-controller-manager` (sub-chart resourceCtrl);
 * - the webhook's Deployment (sub-chart webhook, 2 replicas), in its own namespace unless
 *   `webhook.namespaceOverride` is empty.
 * It fails, with the reason, where the real chart would not come up: the webhook's cert-manager
 * Issuer and Certificate when the cert-manager CRDs are not in the cluster at the start of the
 * sync wave; `kata-deploy.enabled` not false while the CoCo chart installs kata-deploy too (two
 * owners of the DaemonSet, the node labels and the handlers); an Azure value that CAA's
 * entrypoint.sh requires left empty; no credential (no client secret and no workload-identity
 * pod label). A Secret named by `secrets.existingSecretName` is the operator's to create (the
 * simulation runs the documented commands for it, as for the bundle's own Secrets). Once the DaemonSet is healthy, each node where a CAA pod runs gets the extended
 * resource `kata.peerpods.io/vm` = PEERPODS_LIMIT_PER_NODE, as CAA's node-status patcher does;
 * a DaemonSet on no node is a failure (CAA would create no pod VM anywhere).
 * The webhook's MutatingWebhookConfiguration is made too, answered by the simulation's own
 * admission server (admission-server.ts) with the webhook's mutation: kata-remote pods request one
 * `kata.peerpods.io/vm` instead of CPU and memory, so they schedule only where CAA advertised them.
 * Not made: the Issuer and Certificate (cert-manager's own webhook has no server behind it here),
 * RBAC, the PeerPod CRD.
 * @see https://github.com/confidential-containers/cloud-api-adaptor/tree/v0.22.0/src/cloud-api-adaptor/install/charts/peerpods
 */
import { CAA_DAEMON_SET, CAA_NODE_LABEL, CAA_SERVICE_ACCOUNT, PEERPOD_CTRL_SERVICE_ACCOUNT } from '../../shared/peer-pods';
import { WORKLOAD_IDENTITY_USE_LABEL } from '../../k8s/runtime/peerpods-application';
import type { JsonPatchOp } from '../admission-server';
import type { KubeClient, KubeObject } from '../kube-client';
import { COCO_CHART_REPO, kataDeployStandIn } from './kata-deploy';
import {
  destinationNamespace,
  helmOf,
  mergeValues,
  nodesRunning,
  releaseName,
  sourceOf,
  STAND_IN_IMAGE,
  STAND_IN_LABEL,
  stringMapAt,
  valueAt,
  valuesObject,
  type ChartContext,
  type ChartFailure,
  type ChartStandIn,
  type Json,
} from './chart-stand-in';

/** Extended resource CAA advertises on its nodes and the webhook adds to kata-remote pods (webhook values podVMExtendedResource). */
export const PEERPODS_EXTENDED_RESOURCE = 'kata.peerpods.io/vm';
/** CAA's PEERPODS_LIMIT_PER_NODE default (providers/azure.yaml, commented out: 10). */
export const DEFAULT_PEERPODS_LIMIT_PER_NODE = 10;

/** Values of CAA's Azure provider that entrypoint.sh's `test_vars` requires (providers/azure.yaml, uncommented, ""). */
export const REQUIRED_AZURE_VALUES = ['AZURE_IMAGE_ID', 'AZURE_REGION', 'AZURE_RESOURCE_GROUP', 'AZURE_SUBNET_ID', 'AZURE_SUBSCRIPTION_ID'] as const;

/** CRDs the webhook's Issuer and Certificate (templates of the webhook sub-chart) need. */
export const CERT_MANAGER_CRDS = ['certificates.cert-manager.io', 'issuers.cert-manager.io'] as const;

/** The pod label AKS's workload-identity webhook injects the federated token into (and AZURE_TENANT_ID). */

/** The chart's own defaults (values.yaml of 0.4.0 and its sub-charts) for the keys read here. */
const CHART_DEFAULTS: Json = {
  provider: 'libvirt',
  secrets: { mode: 'create', existingSecretName: '' },
  daemonset: { podLabels: {}, serviceAccount: { annotations: {} } },
  // Its kata-deploy sub-chart installs the remote shim only (values.yaml shims).
  'kata-deploy': { enabled: true },
  resourceCtrl: { enabled: true, podLabels: {}, serviceAccount: { annotations: {} } },
  webhook: {
    enabled: true,
    replicas: 2,
    namespaceOverride: 'peer-pods-webhook-system',
    certManager: { enabled: true },
    webhook: { targetRuntimeClass: 'kata-remote', podVMExtendedResource: PEERPODS_EXTENDED_RESOURCE, failurePolicy: 'Fail' },
  },
};

/** providers/azure.yaml of the chart (for `helm.valueFiles: [providers/azure.yaml]`): the required keys, empty. */
const AZURE_VALUES_FILE: Json = { provider: 'azure', providerConfigs: { azure: Object.fromEntries(REQUIRED_AZURE_VALUES.map((k) => [k, ''])) } };

/** The values the chart renders with: its defaults, the value files Argo CD names, then valuesObject. */
export function peerpodsValues(app: KubeObject): Json {
  const helm = helmOf(app);
  let values = CHART_DEFAULTS;
  for (const file of Array.isArray(helm.valueFiles) ? (helm.valueFiles as unknown[]) : []) {
    if (file === 'providers/azure.yaml') values = mergeValues(values, AZURE_VALUES_FILE);
    else throw new Error(`helm.valueFiles ${String(file)}: the simulation knows only the chart's providers/azure.yaml`);
  }
  if (helm.values !== undefined || helm.parameters !== undefined) throw new Error('helm.values and helm.parameters are not simulated: put the values in helm.valuesObject');
  return mergeValues(values, valuesObject(app));
}

/** Problems of the values in what CAA and the chart would do with them; empty when none. */
export function peerpodsValueProblems(app: KubeObject, ctx: Pick<ChartContext, 'applications'>): string[] {
  const values = peerpodsValues(app);
  const problems: string[] = [];
  const provider = valueAt(values, ['provider']);
  if (provider !== 'azure') problems.push(`values provider is ${JSON.stringify(provider)}, expected "azure": the simulation stands in for the Azure provider only`);
  const azure = (valueAt(values, ['providerConfigs', 'azure']) ?? {}) as Json;
  for (const key of REQUIRED_AZURE_VALUES) {
    const v = azure[key];
    if (v === undefined || v === null || String(v).trim() === '') problems.push(`values providerConfigs.azure.${key} is empty: cloud-api-adaptor's entrypoint.sh (test_vars) exits before CAA starts`);
  }
  const coco = ctx.applications.filter((a) => sourceOf(a).repoURL === COCO_CHART_REPO).map((a) => a.metadata.name);
  if (valueAt(values, ['kata-deploy', 'enabled']) !== false && coco.length > 0) {
    problems.push(`values kata-deploy.enabled is not false while Application ${coco.join(', ')} installs kata-deploy from the CoCo chart: two owners of kata-deploy (its DaemonSet, the node labels and the kata-remote handler); set kata-deploy.enabled: false`);
  }
  const mode = valueAt(values, ['secrets', 'mode']);
  if (mode !== 'create' && mode !== 'reference') problems.push(`values secrets.mode is ${JSON.stringify(mode)}, expected "create" or "reference"`);
  // Without a client secret CAA uses workload identity (azure/client.go), which AKS injects only into labelled pods.
  const clientSecret = mode === 'create' ? String(valueAt(values, ['providerSecrets', 'azure', 'AZURE_CLIENT_SECRET']) ?? '') : credentialsSecret(values);
  if (!clientSecret && stringMapAt(values, ['daemonset', 'podLabels'])[WORKLOAD_IDENTITY_USE_LABEL] !== 'true') {
    problems.push(`values give CAA no credential: no client secret${mode === 'reference' ? ' (secrets.existingSecretName is empty)' : ''}, so CAA uses workload identity (azure/client.go), which needs daemonset.podLabels ${WORKLOAD_IDENTITY_USE_LABEL}: "true" for AKS to inject the federated token and AZURE_TENANT_ID`);
  }
  return problems;
}

/**
 * The Secret the CAA DaemonSet reads its credentials from (the chart's `peerpods.secretName`):
 * peer-pods-secret in create mode, `existingSecretName` in reference mode, where an empty name
 * means no Secret at all (workload identity only).
 */
function credentialsSecret(values: Json): string | undefined {
  if (valueAt(values, ['secrets', 'mode']) !== 'reference') return 'peer-pods-secret';
  const name = String(valueAt(values, ['secrets', 'existingSecretName']) ?? '');
  return name === '' ? undefined : name;
}

/** A Secret the operator must create before the sync (secrets.mode reference), or none. */
export function peerpodsSecretReferences(app: KubeObject): { namespace: string; name: string }[] {
  let values: Json;
  try {
    values = peerpodsValues(app);
  } catch {
    return []; // the sync reports the values it cannot simulate
  }
  const name = credentialsSecret(values);
  return valueAt(values, ['secrets', 'mode']) === 'reference' && name ? [{ namespace: destinationNamespace(app), name }] : [];
}

const serviceAccount = (name: string, namespace: string, annotations: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
});

const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } };

function deployment(name: string, namespace: string, replicas: number, serviceAccountName: string, selector: Record<string, string>, podLabels: Record<string, string>, envFrom: Json[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...selector, ...STAND_IN_LABEL } },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...podLabels, ...selector } },
        spec: {
          serviceAccountName,
          containers: [{ name: 'manager', image: STAND_IN_IMAGE, ...(envFrom.length > 0 ? { envFrom } : {}), securityContext: RESTRICTED, resources: { requests: { cpu: '10m', memory: '64Mi' } } }],
        },
      },
    },
  };
}

/** The peerpods chart Application's stand-in; throws with every problem of its values. */
export function peerpodsChartStandIn(app: KubeObject, ctx: ChartContext): ChartStandIn {
  const problems = peerpodsValueProblems(app, ctx);
  if (problems.length > 0) throw new Error(`peerpods chart: ${problems.join('; ')}`);
  const values = peerpodsValues(app);
  const namespace = destinationNamespace(app);
  const release = releaseName(app);
  const caaSelector = { app: 'cloud-api-adaptor' };
  const azure = (valueAt(values, ['providerConfigs', 'azure']) ?? {}) as Json;
  const limit = Number(azure.PEERPODS_LIMIT_PER_NODE ?? DEFAULT_PEERPODS_LIMIT_PER_NODE);
  const secret = credentialsSecret(values);
  const objects: KubeObject[] = [
    serviceAccount(CAA_SERVICE_ACCOUNT, namespace, stringMapAt(values, ['daemonset', 'serviceAccount', 'annotations'])),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'peer-pods-cm', namespace },
      data: { CLOUD_PROVIDER: 'azure', ...Object.fromEntries(Object.entries(azure).map(([k, v]) => [k, String(v)])) },
    },
  ];
  if (valueAt(values, ['secrets', 'mode']) === 'create') {
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'peer-pods-secret', namespace }, type: 'Opaque', stringData: stringMapAt(values, ['providerSecrets', 'azure']) });
  }
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: CAA_DAEMON_SET, namespace, labels: { ...caaSelector, ...STAND_IN_LABEL } },
    spec: {
      selector: { matchLabels: caaSelector },
      template: {
        metadata: { labels: { ...stringMapAt(values, ['daemonset', 'podLabels']), ...caaSelector } },
        spec: {
          serviceAccountName: CAA_SERVICE_ACCOUNT,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          nodeSelector: { [CAA_NODE_LABEL.key]: CAA_NODE_LABEL.value },
          containers: [
            {
              name: 'cloud-api-adaptor-con',
              image: STAND_IN_IMAGE,
              envFrom: [...(secret ? [{ secretRef: { name: secret } }] : []), { configMapRef: { name: 'peer-pods-cm' } }],
              securityContext: { capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } },
              volumeMounts: [{ name: 'pods-dir', mountPath: '/run/peerpod' }],
              resources: { requests: { cpu: '10m', memory: '64Mi' } },
            },
          ],
          volumes: [{ name: 'pods-dir', hostPath: { path: '/run/peerpod' } }],
        },
      },
    },
  });
  if (valueAt(values, ['resourceCtrl', 'enabled']) !== false) {
    objects.push(serviceAccount(PEERPOD_CTRL_SERVICE_ACCOUNT, namespace, stringMapAt(values, ['resourceCtrl', 'serviceAccount', 'annotations'])));
    // The sub-chart's envFrom is fixed: peer-pods-secret (optional) and peer-pods-cm, whatever secrets.mode says.
    objects.push(
      deployment('peerpodctrl-controller-manager', namespace, 1, PEERPOD_CTRL_SERVICE_ACCOUNT, { 'app.kubernetes.io/name': 'peerpodctrl', 'control-plane': 'controller-manager' }, stringMapAt(values, ['resourceCtrl', 'podLabels']), [
        { secretRef: { name: 'peer-pods-secret', optional: true } },
        { configMapRef: { name: 'peer-pods-cm' } },
      ]),
    );
  }
  const webhook = valueAt(values, ['webhook', 'enabled']) !== false;
  const certManager = webhook && valueAt(values, ['webhook', 'certManager', 'enabled']) !== false;
  if (webhook) {
    const override = String(valueAt(values, ['webhook', 'namespaceOverride']) ?? '');
    const webhookNamespace = override === '' ? namespace : override;
    if (webhookNamespace !== namespace) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: webhookNamespace } });
    objects.push(serviceAccount('peer-pods-webhook-controller-manager', webhookNamespace, {}));
    // The real Deployment mounts webhook-server-cert, which cert-manager writes from the Certificate;
    // nothing issues it here, so the stand-in mounts nothing.
    objects.push(deployment('peer-pods-webhook-controller-manager', webhookNamespace, Number(valueAt(values, ['webhook', 'replicas']) ?? 2), 'peer-pods-webhook-controller-manager', { 'app.kubernetes.io/name': 'peer-pods-webhook', 'control-plane': 'controller-manager' }, {}, []));
    if (ctx.admission) {
      // The chart's MutatingWebhookConfiguration, answered by this process: the webhook Service's
      // pods are kwok's and serve nothing, so clientConfig names the simulation's own server.
      const runtimeClass = String(valueAt(values, ['webhook', 'webhook', 'targetRuntimeClass']));
      const resource = String(valueAt(values, ['webhook', 'webhook', 'podVMExtendedResource']));
      const url = ctx.admission.register('/mutate-v1-pod', (request) => peerPodsWebhookPatch(request.object ?? {}, runtimeClass, resource));
      objects.push({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'peer-pods-webhook-mutating-webhook-configuration', labels: { ...STAND_IN_LABEL } },
        webhooks: [
          {
            name: 'mwebhook.peerpods.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: String(valueAt(values, ['webhook', 'webhook', 'failurePolicy'])),
            clientConfig: { url, caBundle: ctx.admission.caBundle },
            rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
            namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [webhookNamespace, 'kube-system'] }] },
          },
        ],
      });
    }
  }
  const kataDeploy = valueAt(values, ['kata-deploy', 'enabled']) !== false ? kataDeployStandIn(namespace, release, ['remote']) : undefined;
  if (kataDeploy) objects.push(...kataDeploy.objects);
  const daemonSetId = `DaemonSet ${namespace}/${CAA_DAEMON_SET}`;
  return {
    objects,
    preflight: certManager ? (client) => missingCertManagerCrds(client) : undefined,
    afterHealthy: async (client) => {
      const failures = [...((await kataDeploy?.afterHealthy?.(client)) ?? [])];
      const live = await client.get('apps/v1', 'DaemonSet', CAA_DAEMON_SET, namespace);
      if (Number(live?.status?.desiredNumberScheduled ?? 0) === 0) {
        failures.push({
          object: daemonSetId,
          reasons: [`DaemonSet ${CAA_DAEMON_SET} matches no node: none is labelled ${CAA_NODE_LABEL.key}="${CAA_NODE_LABEL.value}" (the chart's fixed nodeSelector) without a taint it does not tolerate (the chart sets no tolerations); no node offers ${PEERPODS_EXTENDED_RESOURCE}, so no pod VM is ever created`],
        });
        return failures;
      }
      await advertisePodVms(client, await nodesRunning(client, namespace, 'app=cloud-api-adaptor'), limit);
      return failures;
    },
  };
}

/**
 * The peer-pods webhook's mutation (webhook/pkg/mutating_webhook, remove-resourcespec.go): a pod of
 * the target RuntimeClass loses every container's resources, and its first container requests and
 * limits one `kata.peerpods.io/vm`, so that the scheduler places it only where CAA advertised pod VMs.
 */
export function peerPodsWebhookPatch(pod: Record<string, unknown>, runtimeClass: string, resource: string): JsonPatchOp[] {
  const spec = (pod.spec ?? {}) as Json;
  if (spec.runtimeClassName !== runtimeClass) return [];
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const inits = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  if (containers.length === 0) return [];
  return [
    ...inits.map((_, i): JsonPatchOp => ({ op: 'add', path: `/spec/initContainers/${i}/resources`, value: {} })),
    ...containers.map((_, i): JsonPatchOp => ({ op: 'add', path: `/spec/containers/${i}/resources`, value: i === 0 ? { requests: { [resource]: '1' }, limits: { [resource]: '1' } } : {} })),
  ];
}

/** The cert-manager CRDs the webhook's Issuer and Certificate need, as Argo CD's dry run reports their absence. */
export async function missingCertManagerCrds(client: KubeClient): Promise<ChartFailure[]> {
  const missing: string[] = [];
  for (const crd of CERT_MANAGER_CRDS) if (!(await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd))) missing.push(crd);
  if (missing.length === 0) return [];
  const kinds: Record<string, string> = { 'certificates.cert-manager.io': 'Certificate peer-pods-webhook-serving-cert', 'issuers.cert-manager.io': 'Issuer peer-pods-webhook-selfsigned-issuer' };
  return [
    {
      object: missing.map((m) => kinds[m]).join(', '),
      reasons: [
        `the webhook sub-chart's ${missing.map((m) => kinds[m]).join(' and ')} cannot be applied: the cluster has no CRD ${missing.join(', ')} at the start of this sync wave (Argo CD: "The Kubernetes API could not find cert-manager.io/${missing[0] === 'issuers.cert-manager.io' ? 'Issuer' : 'Certificate'} for requested resource. Make sure the CRD is installed on the destination cluster"); cert-manager must be synced, healthy, in an earlier wave`,
      ],
    },
  ];
}

/** What CAA's node-status patcher does on start (pkg/adaptor/k8sops): the extended resource on its node. */
export async function advertisePodVms(client: KubeClient, nodeNames: readonly string[], limit: number): Promise<void> {
  for (const name of nodeNames) {
    const node = await client.get('v1', 'Node', name);
    if (!node) continue;
    // CAA patches capacity; the kubelet copies an extended resource into allocatable. kwok plays no
    // kubelet there, so both are set.
    const resource = { [PEERPODS_EXTENDED_RESOURCE]: String(limit) };
    await client.patchStatus(node, { capacity: resource, allocatable: resource });
  }
}
