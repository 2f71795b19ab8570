import { Construct } from 'constructs';
import type { GitOpsConfig } from '../../config/schema';
import { ArgoApplication } from './argocd-application';
import { ArgoProject, type GroupKind } from './argocd-project';
import { standardLabels } from '../../shared/labels';

export interface ComponentApp {
  /** Folder under `dist/<env>/`. */
  readonly folder: string;
  /** Default destination namespace of the Application (the component namespace). */
  readonly namespace: string;
  /** Every namespace the component renders into (the project allows exactly these). */
  readonly namespaces: readonly string[];
  readonly wave: number;
}

export interface ArgoBundleProps {
  readonly environment: string;
  readonly gitops: GitOpsConfig;
  /** Repository folder holding `dist/` relative to the repo root. @default dist */
  readonly distPath: string;
  readonly components: readonly ComponentApp[];
  /** Cluster-scoped kinds rendered by the components or granted to them (the project may manage these only). */
  readonly clusterKinds: readonly GroupKind[];
  /** Sources granted to components besides the bundle repository (e.g. a chart registry). */
  readonly extraSourceRepos: readonly string[];
  /** Namespaces granted to components besides the ones the bundle renders. */
  readonly extraNamespaces: readonly string[];
}

/** The env's AppProject and one child Application per component (synced by the root Application). */
export class ArgoBundle extends Construct {
  constructor(scope: Construct, id: string, props: ArgoBundleProps) {
    super(scope, id);
    const { gitops, environment } = props;
    const labels = standardLabels({ name: environment, instance: environment, component: 'argocd' });
    new ArgoProject(this, 'Project', {
      name: environment,
      namespace: gitops.argocdNamespace,
      description: `Confidential Containers bundle for environment ${environment}`,
      sourceRepos: [gitops.repoURL, ...props.extraSourceRepos],
      destinationServer: gitops.destinationServer,
      destinationNamespaces: [...new Set([...props.components.flatMap((c) => c.namespaces), ...props.extraNamespaces])].sort(),
      clusterResourceWhitelist: props.clusterKinds,
      syncWave: -1,
      labels,
    });
    for (const component of props.components) {
      new ArgoApplication(this, component.folder, {
        name: `${environment}-${component.folder}`,
        namespace: gitops.argocdNamespace,
        project: environment,
        repoURL: gitops.repoURL,
        targetRevision: gitops.targetRevision,
        path: `${props.distPath}/${environment}/${component.folder}`,
        destinationServer: gitops.destinationServer,
        destinationNamespace: component.namespace,
        syncWave: component.wave,
        automated: gitops.automated,
        prune: gitops.prune,
        selfHeal: gitops.selfHeal,
        labels: standardLabels({ name: component.folder, instance: environment, component: 'argocd' }),
      });
    }
  }
}
