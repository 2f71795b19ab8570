import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ArgoProjectProps {
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly namespace: string;
  readonly description: string;
  /** The only repositories Applications of this project may sync from. */
  readonly sourceRepos: readonly string[];
  /** Server of destinationNamespaces; required with them. */
  readonly destinationServer?: string;
  /** The only namespaces Applications of this project may deploy to (on destinationServer). */
  readonly destinationNamespaces?: readonly string[];
  /** Further server/namespace pairs Applications of this project may deploy to (a fleet's clusters). @default none */
  readonly destinations?: readonly { readonly server: string; readonly namespace: string }[];
  /** Cluster-scoped kinds the project may manage; nothing else cluster-wide. */
  readonly clusterResourceWhitelist: readonly GroupKind[];
  /** When set, the only namespaced kinds the project may manage. @default all namespaced kinds */
  readonly namespaceResourceWhitelist?: readonly GroupKind[];
  /** `argocd.argoproj.io/sync-wave`: projects come before their Applications. */
  readonly syncWave?: number;
  readonly labels: Record<string, string>;
}

/**
 * An Argo CD AppProject limiting where its Applications come from and what they may touch.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class ArgoProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgoProjectProps) {
    super(scope, id);
    const { destinationServer } = props;
    if (props.destinationNamespaces?.length && destinationServer === undefined) throw new Error(`AppProject ${props.name}: destinationNamespaces need a destinationServer`);
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        ...(props.syncWave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) } } : {}),
        // Keeps the project while Applications still reference it.
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        description: props.description,
        sourceRepos: [...props.sourceRepos],
        destinations: [
          ...(props.destinationNamespaces ?? []).map((namespace) => ({ server: destinationServer, namespace })),
          ...(props.destinations ?? []).map((d) => ({ server: d.server, namespace: d.namespace })),
        ],
        clusterResourceWhitelist: props.clusterResourceWhitelist.map((gk) => ({ ...gk })),
        ...(props.namespaceResourceWhitelist ? { namespaceResourceWhitelist: props.namespaceResourceWhitelist.map((gk) => ({ ...gk })) } : {}),
      },
    });
  }
}
