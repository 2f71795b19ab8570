/**
 * Applications that install an upstream Helm chart from its own registry. What each one gives the
 * simulated Argo CD (one file per chart in ./charts):
 * - cert-manager (CERT_MANAGER_CHART): the real chart, rendered with Helm 4 from the
 *   github.com/cert-manager/cert-manager module at the Application's version (charts/cert-manager.ts);
 * - the CoCo chart (confidential-containers): a stand-in for its kata-deploy (charts/kata-deploy.ts);
 * - cloud-api-adaptor's peerpods chart (PEERPODS_CHART): a stand-in for its DaemonSet and
 *   Deployments, its checks and CAA's node-status patch (charts/peerpods.ts).
 * Any other chart is a failure: the simulation would otherwise pretend it worked.
 */
import { CERT_MANAGER_CHART, PEERPODS_CHART } from '../shared/peer-pods';
import type { KubeObject } from './kube-client';
import { certManagerChart } from './charts/cert-manager';
import { sourceOf, type ChartContext, type ChartStandIn } from './charts/chart-stand-in';
import { COCO_CHART_REPO, cocoChartStandIn } from './charts/kata-deploy';
import { peerpodsChartStandIn, peerpodsSecretReferences } from './charts/peerpods';

export type { ChartContext, ChartFailure, ChartStandIn } from './charts/chart-stand-in';

/** The objects and effects of an external chart Application, or an error naming the chart and why. */
export function chartStandIn(app: KubeObject, ctx: ChartContext): ChartStandIn {
  const repo = String(sourceOf(app).repoURL);
  switch (repo) {
    case COCO_CHART_REPO:
      return cocoChartStandIn(app);
    case CERT_MANAGER_CHART:
      return certManagerChart(app, ctx);
    case PEERPODS_CHART:
      return peerpodsChartStandIn(app, ctx);
    default:
      throw new Error(`Application ${app.metadata.name}: the simulation cannot render chart ${repo} and has no stand-in for it`);
  }
}

/** Secrets an external chart Application reads that the operator creates before the sync. */
export function chartSecretReferences(app: KubeObject): { namespace: string; name: string }[] {
  return sourceOf(app).repoURL === PEERPODS_CHART ? peerpodsSecretReferences(app) : [];
}
