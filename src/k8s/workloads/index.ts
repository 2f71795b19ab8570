import type { ComponentBuilder } from '../component-builder';

/** Builds the demo workloads component. */
export const buildWorkloads: ComponentBuilder = () => {
  // Filled in by the component's issue; until then the component renders only its Namespace.
};
