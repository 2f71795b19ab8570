/**
 * Stand-in for kata-deploy, as the CoCo chart (and the peerpods chart's optional sub-chart)
 * installs it: a DaemonSet on every node it may run on (kata-deploy's default: no nodeSelector, no
 * tolerations); on each node where its pod runs, the node label `katacontainers.io/kata-runtime=true`
 * and the runtime handlers of the enabled shims, as kata-deploy's installer sets them. Nothing
 * else of the chart (its RBAC, its cleanup hooks) is made: the bundle relies on none of it.
 */
import { COCO_CHART_REPO, KATA_DEPLOY_ALIAS } from '../../k8s/runtime/coco-chart-application';
import { KATA_RUNTIME_NODE_LABEL } from '../../k8s/runtime/kata-runtime-classes';
import type { KubeObject } from '../kube-client';
import { destinationNamespace, nodesRunning, releaseName, STAND_IN_IMAGE, STAND_IN_LABEL, valueAt, valuesObject, type ChartStandIn, type Json } from './chart-stand-in';

export { COCO_CHART_REPO };

/** kata-deploy's DaemonSet with the given shims' handlers registered on every node it runs on. */
export function kataDeployStandIn(namespace: string, release: string, shims: readonly string[]): ChartStandIn {
  const labels = { 'app.kubernetes.io/name': 'kata-deploy', 'app.kubernetes.io/instance': release };
  const daemonSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kata-deploy', namespace, labels: { ...labels, ...STAND_IN_LABEL } },
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
  return {
    objects: [daemonSet],
    afterHealthy: async (client) => {
      for (const nodeName of await nodesRunning(client, namespace, `app.kubernetes.io/name=kata-deploy,app.kubernetes.io/instance=${release}`)) {
        const node = await client.get('v1', 'Node', nodeName);
        if (!node) continue;
        await client.patch(node, { metadata: { labels: { [KATA_RUNTIME_NODE_LABEL.key]: KATA_RUNTIME_NODE_LABEL.value } } });
        await client.patchStatus(node, { runtimeHandlers: shims.map((s) => ({ name: `kata-${s}`, features: { recursiveReadOnlyMounts: false, userNamespaces: false } })) });
      }
      return [];
    },
  };
}

/** Shims the CoCo chart Application enables (`<alias>.shims.<shim>.enabled`). */
function enabledShims(app: KubeObject): string[] {
  const shims = (valueAt(valuesObject(app), [KATA_DEPLOY_ALIAS, 'shims']) ?? {}) as Json;
  return Object.entries(shims)
    .filter(([, v]) => typeof v === 'object' && v !== null && (v as Json).enabled === true)
    .map(([k]) => k)
    .sort();
}

/** The CoCo chart (`confidential-containers`): its kata-deploy sub-chart. */
export function cocoChartStandIn(app: KubeObject): ChartStandIn {
  return kataDeployStandIn(destinationNamespace(app), releaseName(app), enabledShims(app));
}
