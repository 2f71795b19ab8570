import type { Chart } from 'cdk8s';
import type { LoadedEnvironment } from '../config/load';

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
}

/**
 * Adds one component's objects (besides its Namespace, which the bundle renders).
 * Builders are pure: config in, constructs out.
 */
export type ComponentBuilder = (scope: ComponentScope, env: LoadedEnvironment) => void;
