/** The fleet's objects (`dist/fleet/`), built like an environment's folders but once per repository. */
import { App, Chart } from 'cdk8s';
import type { LoadedFleet } from '../config/load-fleet';
import type { K8sObject } from '../shared/k8s-object';
import { ArgoFleet } from './argocd/argocd-fleet';
import { DIST_PATH } from './bundle';

export function buildFleet(fleet: LoadedFleet): K8sObject[] {
  const app = new App();
  const chart = new Chart(app, 'fleet', { disableResourceNameHashes: true });
  new ArgoFleet(chart, 'Fleet', { fleet, distPath: DIST_PATH });
  return chart.toJson() as K8sObject[];
}
