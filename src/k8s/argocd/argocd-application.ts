import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';

export interface ArgoApplicationProps {
  /** Application name (unique in the Argo CD namespace: we prefix the environment). */
  readonly name: string;
  /** Namespace Argo CD runs in. @default argocd (from the environment file) */
  readonly namespace: string;
  /** AppProject the Application belongs to. */
  readonly project: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Folder in the repository, e.g. `dist/azure-tdx/kbs`. */
  readonly path: string;
  readonly destinationServer: string;
  /** Namespace objects without one would land in; we always set namespaces explicitly. */
  readonly destinationNamespace: string;
  /** `argocd.argoproj.io/sync-wave`; waves between Applications need the Application health check. */
  readonly syncWave: number;
  readonly automated: boolean;
  readonly prune: boolean;
  readonly selfHeal: boolean;
  readonly labels: Record<string, string>;
}

/**
 * An Argo CD Application syncing one folder of plain YAML.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/
 */
export class ArgoApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) },
        // Deleting the Application deletes what it deployed (cascading delete).
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project,
        // recurse: components may keep parts in sub-folders (one folder per demo workload).
        source: { repoURL: props.repoURL, targetRevision: props.targetRevision, path: props.path, directory: { recurse: true } },
        destination: { server: props.destinationServer, namespace: props.destinationNamespace },
        syncPolicy: {
          ...(props.automated ? { automated: { prune: props.prune, selfHeal: props.selfHeal } } : {}),
          // Every component renders its own Namespace; Argo CD must not create a second owner.
          syncOptions: ['CreateNamespace=false', 'PrunePropagationPolicy=foreground', 'PruneLast=true'],
        },
      },
    });
  }
}
