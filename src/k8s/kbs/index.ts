import type { ComponentBuilder } from '../component-builder';

/** Builds the Trustee KBS component. */
export const buildKbs: ComponentBuilder = () => {
  // Filled in by the component's issue; until then the component renders only its Namespace.
};
