import { Construct } from 'constructs';
import type { GitOpsConfig } from '../../config/schema';
import { ArgoApplication } from './argocd-application';
import { ArgoProject } from './argocd-project';
import { standardLabels } from '../../shared/labels';
import { ARGOCD_FOLDER } from '../../shared/components';

export interface ArgoRootProps {
  readonly environment: string;
  readonly gitops: GitOpsConfig;
  /** Repository folder holding `dist/`. */
  readonly distPath: string;
}

/**
 * What an operator applies once by hand (`kubectl apply -f dist/<env>/bootstrap/`): the root
 * Application (app-of-apps) and a project that lets it manage only Argo CD objects in the Argo CD namespace.
 */
export class ArgoRoot extends Construct {
  constructor(scope: Construct, id: string, props: ArgoRootProps) {
    super(scope, id);
    const { gitops, environment } = props;
    const project = `${environment}-bootstrap`;
    const labels = standardLabels({ name: `${environment}-root`, instance: environment, component: 'bootstrap' });
    new ArgoProject(this, 'Project', {
      name: project,
      namespace: gitops.argocdNamespace,
      description: `Root of environment ${environment}: Argo CD Applications and AppProjects only`,
      sourceRepos: [gitops.repoURL],
      destinationServer: gitops.destinationServer,
      destinationNamespaces: [gitops.argocdNamespace],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
      labels,
    });
    new ArgoApplication(this, 'Root', {
      name: `${environment}-root`,
      namespace: gitops.argocdNamespace,
      project,
      repoURL: gitops.repoURL,
      targetRevision: gitops.targetRevision,
      path: `${props.distPath}/${environment}/${ARGOCD_FOLDER}`,
      destinationServer: gitops.destinationServer,
      destinationNamespace: gitops.argocdNamespace,
      syncWave: 0,
      automated: gitops.automated,
      prune: gitops.prune,
      selfHeal: gitops.selfHeal,
      labels,
    });
  }
}
