/**
 * Applications that install an upstream Helm chart from its own registry (the CoCo chart) cannot be
 * rendered here: no network. The simulation stands in for what such a chart does to the cluster
 * that the bundle relies on, and nothing else:
 * - confidential-containers (kata-deploy): a DaemonSet on every node it may run on (kata-deploy's
 *   default: no nodeSelector, no tolerations); on each node where its pod runs, the node label
 *   `katacontainers.io/kata-runtime=true` and the runtime handlers of the enabled shims, as
 *   kata-deploy's installer sets them.
 * Any other chart is a failure: the simulation would otherwise pretend it worked.
 */
import type { KubeClient, KubeObject } from './kube-client';
import { KATA_RUNTIME_NODE_LABEL } from '../k8s/runtime/kata-runtime-classes';

type Json = Record<string, unknown>;

/** Stand-in image: never pulled (kwok runs no container); pinned so nothing looks unpinned. */
const STAND_IN_IMAGE = 'registry.k8s.io/pause:3.10';

/** CoCo chart: the kata-deploy sub-chart's alias (src/k8s/runtime/coco-chart-application.ts). */
const COCO_CHART = 'oci://ghcr.io/confidential-containers/charts/confidential-containers';
const KATA_DEPLOY_ALIAS = 'kata-as-coco-runtime';

export interface ChartStandIn {
  /** Objects to apply for the chart (stand-ins for the chart's workloads). */
  readonly objects: readonly KubeObject[];
  /** Runs after the stand-ins are healthy: the chart's effects on the nodes. */
  readonly afterHealthy: (client: KubeClient) => Promise<void>;
}

/** Shims the Application enables (`<alias>.shims.<shim>.enabled`). */
function enabledShims(app: KubeObject): string[] {
  const values = ((app.spec?.source as Json | undefined)?.helm as Json | undefined)?.valuesObject as Json | undefined;
  const shims = ((values?.[KATA_DEPLOY_ALIAS] as Json | undefined)?.shims ?? {}) as Json;
  return Object.entries(shims)
    .filter(([, v]) => typeof v === 'object' && v !== null && (v as Json).enabled === true)
    .map(([k]) => k)
    .sort();
}

/** The stand-in for an external chart Application, or an error naming the chart. */
export function chartStandIn(app: KubeObject): ChartStandIn {
  const source = (app.spec?.source ?? {}) as Json;
  const namespace = String((app.spec?.destination as Json | undefined)?.namespace ?? 'default');
  if (source.repoURL !== COCO_CHART) throw new Error(`Application ${app.metadata.name}: the simulation cannot render chart ${String(source.repoURL)} and has no stand-in for it`);
  const release = String((source.helm as Json | undefined)?.releaseName ?? app.metadata.name);
  const labels = { 'app.kubernetes.io/name': 'kata-deploy', 'app.kubernetes.io/instance': release };
  const daemonSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kata-deploy', namespace, labels: { ...labels, 'coco.azure/simulated-stand-in': 'true' } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ name: 'kube-kata', image: STAND_IN_IMAGE, securityContext: { privileged: true }, resources: { requests: { cpu: '10m', memory: '50Mi' } } }],
        },
      },
    },
  };
  const shims = enabledShims(app);
  return {
    objects: [daemonSet],
    afterHealthy: async (client) => {
      const pods = (await client.list('v1', 'Pod', namespace, `labelSelector=${encodeURIComponent('app.kubernetes.io/name=kata-deploy')}`)).filter((p) => p.spec?.nodeName);
      for (const nodeName of new Set(pods.map((p) => String(p.spec?.nodeName)))) {
        const node = await client.get('v1', 'Node', nodeName);
        if (!node) continue;
        await client.patch(node, { metadata: { labels: { [KATA_RUNTIME_NODE_LABEL.key]: KATA_RUNTIME_NODE_LABEL.value } } });
        await client.patchStatus(node, { runtimeHandlers: shims.map((s) => ({ name: `kata-${s}`, features: { recursiveReadOnlyMounts: false, userNamespaces: false } })) });
      }
    },
  };
}
