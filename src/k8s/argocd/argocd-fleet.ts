import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import type { LoadedFleet, ResolvedCluster } from '../../config/load-fleet';
import type { LoadedEnvironment } from '../../config/load';
import { ArgoProject } from './argocd-project';
import { standardLabels } from '../../shared/labels';
import { ARGOCD_FOLDER } from '../../shared/components';

/** Label of each generated root Application that RollingSync steps select on. */
export const FLEET_WAVE_LABEL = 'fleet.coco-azure-gitops/wave';
/** Project of every root the fleet generates. */
export const FLEET_PROJECT = 'fleet';

export interface ArgoFleetProps {
  readonly fleet: LoadedFleet;
  /** Repository folder holding `dist/`. */
  readonly distPath: string;
}

/**
 * What an operator applies once to the Argo CD that manages the fleet (`kubectl apply -f dist/fleet/`):
 * one ApplicationSet per environment the fleet uses, generating one root Application per cluster,
 * and the project those roots belong to, which lets them put only Argo CD Applications and
 * AppProjects into each cluster's Argo CD namespace (like the bootstrap project of one environment).
 */
export class ArgoFleet extends Construct {
  constructor(scope: Construct, id: string, props: ArgoFleetProps) {
    super(scope, id);
    const { fleet } = props;
    const namespace = fleet.argocdNamespace;
    const labels = standardLabels({ name: FLEET_PROJECT, instance: FLEET_PROJECT, component: 'bootstrap' });
    const envs = [...new Map(fleet.clusters.map((c) => [c.env.name, c.env])).values()];
    new ArgoProject(this, 'Project', {
      name: FLEET_PROJECT,
      namespace,
      description: 'Roots of the fleet clusters: Argo CD Applications and AppProjects in each cluster\'s Argo CD namespace only',
      sourceRepos: [...new Set(envs.map((e) => e.config.gitops.repoURL))].sort(),
      destinations: fleet.clusters.map((c) => ({ server: c.server, namespace: c.env.config.gitops.argocdNamespace })),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
      labels,
    });
    for (const env of envs) {
      new ApiObject(this, env.name, applicationSet(env, fleet.clusters.filter((c) => c.env === env), namespace, props.distPath));
    }
  }
}

/** The ApplicationSet of one environment: the environment's root Application, once per cluster. */
function applicationSet(env: LoadedEnvironment, clusters: readonly ResolvedCluster[], namespace: string, distPath: string) {
  const { gitops } = env.config;
  const waves = [...new Set(clusters.map((c) => c.wave))].sort((a, b) => a - b);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: {
      name: `${FLEET_PROJECT}-${env.name}`,
      namespace,
      labels: standardLabels({ name: `${FLEET_PROJECT}-${env.name}`, instance: env.name, component: 'bootstrap' }),
    },
    spec: {
      // missingkey=error: a typo in a parameter fails the generation instead of rendering "<no value>".
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          list: {
            elements: clusters.map((c) => ({ cluster: c.name, server: c.server, targetRevision: c.targetRevision, wave: String(c.wave) })),
          },
        },
      ],
      // One step per wave, in order; each waits for the previous wave's roots to be Healthy. The
      // ApplicationSet controller applies it only with progressive syncs enabled (docs/argocd.md);
      // otherwise every root syncs at once, automatically.
      ...(waves.length > 1
        ? { strategy: { type: 'RollingSync', rollingSync: { steps: waves.map((w) => ({ matchExpressions: [{ key: FLEET_WAVE_LABEL, operator: 'In', values: [String(w)] }] })) } } }
        : {}),
      template: {
        metadata: {
          name: '{{.cluster}}-root',
          namespace,
          labels: { ...standardLabels({ name: '{{.cluster}}-root', instance: env.name, component: 'bootstrap' }), [FLEET_WAVE_LABEL]: '{{.wave}}' },
          // Deleting a root (a cluster removed from the fleet) deletes what it deployed, as for one environment.
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: FLEET_PROJECT,
          source: { repoURL: gitops.repoURL, targetRevision: '{{.targetRevision}}', path: `${distPath}/${env.name}/${ARGOCD_FOLDER}`, directory: { recurse: true } },
          // The cluster's own Argo CD namespace: its Argo CD syncs the children in-cluster.
          destination: { server: '{{.server}}', namespace: gitops.argocdNamespace },
          syncPolicy: {
            ...(gitops.automated ? { automated: { prune: gitops.prune, selfHeal: gitops.selfHeal } } : {}),
            syncOptions: ['CreateNamespace=false', 'PrunePropagationPolicy=foreground', 'PruneLast=true'],
          },
        },
      },
    },
  };
}
