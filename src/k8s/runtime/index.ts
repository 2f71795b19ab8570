import type { ComponentBuilder } from '../component-builder';

/** Builds the runtime classes and CoCo install component. */
export const buildRuntime: ComponentBuilder = () => {
  // Filled in by the component's issue; until then the component renders only its Namespace.
};
