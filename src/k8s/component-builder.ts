import type { Chart } from 'cdk8s';
import type { LoadedEnvironment } from '../config/load';

/**
 * Adds one component's objects (besides its Namespace, which the bundle renders) to the chart
 * written to `dist/<env>/<component>/`. Builders are pure: config in, constructs out.
 */
export type ComponentBuilder = (chart: Chart, env: LoadedEnvironment) => void;
