import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import type { GitOpsConfig } from '../../config/schema';
import type { GroupKind } from '../argocd/argocd-project';

/**
 * What the environment's AppProject must additionally allow for one upstream chart's Application
 * to sync: its repository as a source, and exactly the cluster-scoped kinds the chart renders with
 * the bundle's values (read from `helm template` of the chart at the pinned version).
 */
export interface ChartProjectNeeds {
  readonly sourceRepos: readonly string[];
  readonly clusterResourceWhitelist: readonly GroupKind[];
}

export interface HelmChartApplicationProps {
  /** Application name, unique in the Argo CD namespace (`<env>-<what>`). */
  readonly name: string;
  /** AppProject of the environment; it must list `repoURL` in sourceRepos (see ChartProjectNeeds). */
  readonly project: string;
  readonly gitops: GitOpsConfig;
  /** OCI repository of the chart itself (`oci://<registry>/<path>/<chart>`), pulled as a native OCI source. */
  readonly repoURL: string;
  /** Chart version (an OCI tag). */
  readonly version: string;
  readonly releaseName: string;
  /** Release namespace (`.Release.Namespace`): a namespace the bundle renders, never created by Argo CD. */
  readonly namespace: string;
  /** Helm values: only what the bundle decides, the chart's defaults for the rest. */
  readonly values: Readonly<Record<string, unknown>>;
  /** `argocd.argoproj.io/sync-wave` among the environment's Applications (src/shared/components.ts). */
  readonly syncWave: number;
  readonly labels: Record<string, string>;
}

/**
 * An Argo CD Application installing one upstream Helm chart, in the one shape every chart
 * Application of the bundle has (the simulation and review read exactly these fields):
 * `spec.source` with `repoURL` (the OCI chart), `path: .`, `targetRevision`, `helm.releaseName`
 * and `helm.valuesObject`. Argo CD >= 3.1 pulls the chart as a native OCI source, so no Helm
 * repository secret is needed.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/oci/
 */
export class HelmChartApplication extends Construct {
  constructor(scope: Construct, id: string, props: HelmChartApplicationProps) {
    super(scope, id);
    const { gitops } = props;
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: gitops.argocdNamespace,
        labels: props.labels,
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) },
        // Deleting the Application uninstalls the release (and runs the chart's delete hooks).
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project,
        source: {
          repoURL: props.repoURL,
          targetRevision: props.version,
          path: '.',
          helm: { releaseName: props.releaseName, valuesObject: props.values },
        },
        destination: { server: gitops.destinationServer, namespace: props.namespace },
        syncPolicy: {
          ...(gitops.automated ? { automated: { prune: gitops.prune, selfHeal: gitops.selfHeal } } : {}),
          // The runtime component renders every namespace a chart installs into (with its Pod
          // Security level), so Argo CD must not create a second owner; server-side apply for
          // CRDs larger than the client-side last-applied annotation allows.
          syncOptions: ['CreateNamespace=false', 'ServerSideApply=true'],
        },
      },
    });
  }
}
