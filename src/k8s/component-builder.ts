import type { Chart } from 'cdk8s';
import type { LoadedEnvironment } from '../config/load';
import type { GroupKind } from './argocd/argocd-project';

/** What a component installs through Argo CD besides its own folder (e.g. an upstream Helm chart). */
export interface ProjectGrant {
  /** Extra source repositories, e.g. an OCI chart registry `ghcr.io/confidential-containers/charts`. */
  readonly sourceRepos?: readonly string[];
  /** Cluster-scoped kinds those sources create (the AppProject allows exactly these plus ours). */
  readonly clusterKinds?: readonly GroupKind[];
  /** Namespaces those sources deploy to (besides the namespaces the bundle renders). */
  readonly namespaces?: readonly string[];
}

/** Where a component builder puts its constructs. */
export interface ComponentScope {
  /** Chart written to `dist/<env>/<component>/` (already holds the component Namespace). */
  readonly chart: Chart;
  /**
   * A chart written to `dist/<env>/<component>/<name>/`, for parts that deserve their own folder
   * (e.g. one demo workload per folder and namespace). The component's Application syncs
   * sub-folders too (`directory.recurse`). Calling it twice with one name returns the same chart.
   */
  subfolder(name: string): Chart;
  /**
   * Chart written to `dist/<env>/argocd/` (synced by the root Application): for extra Argo CD
   * Applications of the component, such as a Helm-source Application for an upstream chart.
   * Put them in the environment's project (named after the environment) and declare with
   * `grant` what they need.
   */
  readonly argocd: Chart;
  /** Widens the environment's AppProject for what `argocd` Applications install. */
  grant(grant: ProjectGrant): void;
}

/**
 * Adds one component's objects (besides its Namespace, which the bundle renders).
 * Builders are pure: config in, constructs out.
 */
export type ComponentBuilder = (scope: ComponentScope, env: LoadedEnvironment) => void;
